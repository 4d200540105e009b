/** Header names under which every record carries its Connect-style source coordinates. */
export const SOURCE_HEADERS = {
  connector: 'inlet.connector',
  partition: 'inlet.source.partition',
  offset: 'inlet.source.offset',
  /** How the push was authenticated when it was written (see AuthScheme): later config changes do not relabel it. */
  auth: 'inlet.auth',
} as const;

/**
 * The `inlet.auth` values: the scheme that verified the push (a sender's signature, a generic
 * webhook's HMAC or bearer token), or `none` for a connector that checks nothing.
 */
export type AuthScheme = 'stripe' | 'github' | 'standard-webhooks' | 'hmac' | 'token' | 'none';
