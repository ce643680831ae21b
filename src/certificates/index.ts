/** Certificates: SMART Health Cards (domestic) and EU DCC (international pass), pure library. */
export * from './types.js';
export * from './vaccines.js';
export * from './keys.js';
export * from './verify-certificate.js';
export * from './shc/build-credential.js';
export * from './shc/sign-card.js';
export * from './shc/qr.js';
export * from './shc/verify-card.js';
export * from './hcert/base45.js';
export * from './hcert/uvci.js';
export * from './hcert/transliterate.js';
export * from './hcert/build-dcc.js';
export * from './hcert/cose.js';
export * from './hcert/sign-hcert.js';
export * from './hcert/verify-hcert.js';
export * from './hcert/self-signed-certificate.js';
