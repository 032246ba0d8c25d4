// oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS" when it is imported on any
// Node.js before 22. The portal documents Node.js 20 (Debian's own), on which this development
// stand-in runs and which the single sign-on tests exercise, so that one notice is dropped here,
// in this process only, rather than greeting every `make run`. Every other warning still shows.
// Imported by server.mjs before oidc-provider, so that it is in place when the check runs.

const NOTICE = 'oidc-provider WARNING: Unsupported runtime.';
const warn = console.warn.bind(console);

console.warn = (first, ...rest) => {
  // On a terminal the library wraps the line in colour codes: look inside it.
  if (typeof first === 'string' && first.includes(NOTICE)) return;
  warn(first, ...rest);
};
