// The seam between the HTTP client transport and an authorization implementation (tsmcp/auth's OAuth
// client, or a custom one): declared here so transports/http never imports src/auth.

/** Supplies the Authorization header of each HTTP exchange and (re)authorizes on 401 / 403. */
export interface HttpAuthProvider {
  /**
   * Headers to add to every exchange (e.g. `{ authorization: 'Bearer …' }`); empty before authorization.
   * `request` is the exchange's method and URL (a DPoP proof signs them); older providers may ignore it.
   */
  headers(request?: { method: string; url: string }): Record<string, string> | Promise<Record<string, string>>;
  /**
   * The server answered 401: authorize (discovery, registration, login, token). Resolves true when the
   * request should be sent again with fresh `headers()`, false to give the 401 to the caller; a rejection
   * (a typed error) fails the request with it. `request` names the refused exchange and the
   * `authorization` header it carried: a 401 for a token the provider has replaced since (a concurrent
   * refresh) only needs the exchange sent again.
   */
  onUnauthorized(
    response: Response,
    request?: { method: string; url: string; authorization?: string | undefined },
  ): Promise<boolean>;
  /** The server answered 403 (e.g. `insufficient_scope`): step up. Same contract as `onUnauthorized`. */
  onForbidden?(response: Response): Promise<boolean>;
  /**
   * The 401 only asks for a fresh proof with a server nonce (DPoP `use_dpop_nonce`, RFC 9449 §9): true
   * sends the exchange once more without re-authorizing. Optional; absent means never.
   */
  onNonce?(response: Response): boolean;
  /**
   * Sees every response of an exchange (POST, GET streams, DELETE; each send of a retry) before the
   * 401/403 handling, without reading its body: e.g. a DPoP-Nonce a server rotates on success (RFC 9449
   * §8) for the next proof. Optional; a throw fails the exchange.
   */
  onResponse?(response: Response, request: { method: string; url: string }): void;
}
