// The page frame: skip link, top bar with the navigation, and the global design system (globals.css).
import type { ReactNode } from 'react';
import './globals.css';
import { Nav } from './_components/Nav.tsx';
import { MutantBanner } from './_components/MutantBanner.tsx';

const ICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#4f46e5"/><text x="32" y="42" font-family="Arial,sans-serif" font-size="28" font-weight="800" fill="#fff" text-anchor="middle">FS</text></svg>',
)}`;

export const metadata = {
  title: { default: 'fapi-sandbox', template: '%s · fapi-sandbox' },
  description: 'See RFC 8705 mTLS and RFC 9449 DPoP sender-constrained tokens work and fail, step by step.',
  icons: { icon: ICON },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">Skip to content</a>
        <header className="topbar">
          <div className="topbar-inner">
            <a className="brand" href="/">
              <span className="brand-mark" aria-hidden="true">FS</span>
              <span>fapi-sandbox <small>mTLS · DPoP · FAPI</small></span>
            </a>
            <Nav />
          </div>
        </header>
        <MutantBanner />
        <main id="main" tabIndex={-1}>{children}</main>
      </body>
    </html>
  );
}
