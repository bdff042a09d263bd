export { checkPackageBinding } from './binding';
export { NativeEd25519 } from '../format/nativeEd25519';
export { Verifier, type VerifierOptions, type VerifierStats, type VerifyItem, type VerifyResult } from './verifier';
