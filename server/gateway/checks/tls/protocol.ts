// tls.protocol — FAPI 2.0 Security Profile §5.2.1: TLS 1.2 or later; with TLS 1.2 only the
// BCP 195 ECDHE AES-GCM suites. The listener already refuses older versions; this records and re-checks.
import { pass, fail, INVALID_TOKEN, type Check } from '../../context.ts';
import { FAPI_TLS12_SUITES } from '../../../tls/options.ts';

export const tlsProtocol: Check = {
  id: 'tls.protocol',
  run({ conn }) {
    const { protocol, cipher } = conn.tls;
    const inputs = { protocol, cipher };
    if (protocol === 'TLSv1.3') return pass(`${protocol} with ${cipher}`, inputs);
    if (protocol === 'TLSv1.2') {
      return cipher && FAPI_TLS12_SUITES.has(cipher)
        ? pass(`${protocol} with ${cipher}`, inputs)
        : fail(`${protocol} with ${cipher ?? 'no cipher'}: not a FAPI (ECDHE AES-GCM) suite`, INVALID_TOKEN, inputs);
    }
    return fail(`${protocol ?? 'no TLS'}: FAPI requires TLS 1.2 or later`, INVALID_TOKEN, inputs);
  },
};
