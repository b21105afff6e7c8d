// Playground: pick a certificate, get or paste a token, break the DPoP proof as you like, send it
// to the gateway, and see every check it ran.
import { controlGet } from '../_lib/server-api.ts';
import type { PlaygroundOptions } from '../_lib/types.ts';
import { Playground } from '../_components/Playground.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Playground' };

export default async function PlaygroundPage() {
  const options = await controlGet<PlaygroundOptions>('/api/playground');
  return (
    <>
      <div className="page-header">
        <div>
          <div className="eyebrow">Playground</div>
          <h1>Send your own request to the gateway</h1>
          <p className="lede">
            Get a token as any client, then present it with any certificate and any DPoP proof, broken the way you choose. The gateway answers
            and shows every check it ran.
          </p>
        </div>
      </div>
      {options ? <Playground options={options} /> : <p className="error-box">The playground API is not available.</p>}
    </>
  );
}
