// api.interaction-id — FAPI 1.0 Part 1 §6.2.1 / OBIE: x-fapi-interaction-id is a UUID, echoed back,
// or generated when absent. The runner has already chosen ctx.interactionId.
import { pass, fail, INVALID_REQUEST, type Check } from '../../context.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export const interactionId: Check = {
  id: 'api.interaction-id',
  run(ctx) {
    const received = ctx.req.headersDistinct['x-fapi-interaction-id'];
    if (!received) return pass(`none sent: generated ${ctx.interactionId}`, { generated: ctx.interactionId });
    if (received.length > 1) return fail(`${received.length} x-fapi-interaction-id headers; send one`, INVALID_REQUEST, { received });
    const [value] = received;
    if (!UUID.test(value!)) {
      return fail(`x-fapi-interaction-id "${value!.slice(0, 64)}" is not a UUID (RFC 4122)`, INVALID_REQUEST, { received: value!.slice(0, 200) });
    }
    return pass(`echoed ${value}`, { received: value });
  },
};
