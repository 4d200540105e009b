export { PushSigningError, signPush, type PushToSign } from './sign-push.ts';
