import type { ReactNode } from 'react';

export const metadata = { title: 'fapi-sandbox', description: 'See RFC 8705 mTLS and RFC 9449 DPoP sender-constrained tokens work and fail.' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
