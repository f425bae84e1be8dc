// The server's public origin as the build bakes it into the manifests and the add-in: PUBLIC_URL, or the local server
// `npm start` runs (https://localhost on PORT, 3000 by default), so a local start on another port still agrees.
/** @param {Record<string, string | undefined>} env */
function publicUrlFromEnv(env) {
  const set = (env.PUBLIC_URL || '').trim();
  return (set || `https://localhost:${(env.PORT || '').trim() || '3000'}`).replace(/\/+$/, '');
}

module.exports = { publicUrlFromEnv };
