// Next.js configuration. Type errors are caught by `npm run typecheck` (tsc over the whole
// project), so next build does not type-check a second time.
import type { NextConfig } from 'next';

const config: NextConfig = {
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
