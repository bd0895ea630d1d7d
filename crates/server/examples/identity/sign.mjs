// Signs who the signed-in customer is, for Accueil's widget (PROTOCOL.md, "Signed identity").
// Usage: ACCUEIL_IDENTITY_SECRET=... node sign.mjs SITE CUSTOMER_ID [NAME] [EMAIL]
// Run it on the brand's server, never in a browser: the secret must not reach the page.
import { createHmac } from "node:crypto";

export function signIdentity(secret, site, { id, name = "", email = "" }) {
  const issued_at = Math.floor(Date.now() / 1000);
  const text = ["accueil-identity-v1", site, id, name, email, issued_at].join("\n");
  const signature = createHmac("sha256", secret).update(text, "utf8").digest("hex");
  return { id, name, email, issued_at, signature };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [site, id, name, email] = process.argv.slice(2);
  console.log(JSON.stringify(signIdentity(process.env.ACCUEIL_IDENTITY_SECRET, site, { id, name, email })));
}
