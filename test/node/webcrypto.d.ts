// Node 20 has Web Crypto's CryptoKey as a global, but @types/node 20 names it
// only crypto.webcrypto.CryptoKey; src/core/token.ts (run here by the token
// script's test) uses the global name.
import type { webcrypto } from "node:crypto";

declare global {
  type CryptoKey = webcrypto.CryptoKey;
}
