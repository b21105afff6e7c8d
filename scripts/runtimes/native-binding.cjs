// Preloaded (NODE_OPTIONS=--require) by scripts/runtimes.mjs when this checkout runs under another Node
// major: node_modules holds better-sqlite3 built for the Node that installed it (another ABI), so its
// addon is loaded from FAPI_BETTER_SQLITE3_BINDING, a copy built for this runtime.
const override = process.env.FAPI_BETTER_SQLITE3_BINDING;
if (override) {
  const dlopen = process.dlopen;
  process.dlopen = function (module, filename, ...rest) {
    const redirected = /[\\/]better-sqlite3[\\/]build[\\/]Release[\\/]better_sqlite3\.node$/.test(filename) ? override : filename;
    return dlopen.call(this, module, redirected, ...rest);
  };
}
