// Engine errors carry stable codes (tests and reporters assert on codes, not wording).

export type EngineErrorCode =
  | 'unknown-actor'
  | 'unknown-certificate'
  | 'unknown-variable'
  | 'unknown-key'
  | 'template'
  | 'no-client'
  | 'no-client-key'
  | 'unsupported'
  | 'bad-token-response'
  | 'forgery'
  | 'browser'
  | 'no-password'
  | 'authorization-response'
  | 'capture';

export class EngineError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
  }
}
