// TypeScript's nodenext resolution wants file extensions for package subpaths when the package has no
// "exports" map (next has none), and sees Next's CommonJS typings' default export one level down:
// these declarations give the type checker Next's documented entry points as the bundler sees them,
// so pages keep importing 'next/link' as Next expects.
declare module 'next/link' {
  import type * as L from 'next/link.js';
  const Link: typeof L.default.default;
  export default Link;
}
declare module 'next/navigation' {
  export * from 'next/navigation.js';
}
declare module 'next/headers' {
  export * from 'next/headers.js';
}
