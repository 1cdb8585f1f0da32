// oidc-provider ships no types; the tests use a handful of its members, loosely typed.
declare module 'oidc-provider' {
  const Provider: any;
  export default Provider;
  export const errors: any;
}
