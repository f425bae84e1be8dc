// The task pane's webpack configuration (dist/addin/taskpane): the React page, its lazily loaded chunks (pdfjs, MSAL),
// the pdfjs worker and the character maps Taiwanese PDFs need, all served from our own origin. It cleans only its own
// folder; dist/addin belongs to the on-send build.
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

const { officeJsScripts } = require('./office-js.cjs');
const { publicUrlFromEnv } = require('./public-url.cjs');

const webpack = require('webpack');

const ROOT = path.resolve(__dirname, '..', '..');
const PDFJS = path.dirname(require.resolve('pdfjs-dist/package.json'));

/**
 * The page: office.js (Microsoft's CDN, or our own origin when self-hosted, with MicrosoftAjax.js before it when the
 * build was given one: scripts/build/office-js.cjs), then the pane's script.
 */
const taskpaneHtml = (officeJs) => `<!doctype html>
<html lang="zh-Hant-TW">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>機敏守門員 Secrecy Guard</title>
    <style>
      html,
      body {
        margin: 0;
        padding: 0;
      }
    </style>
${officeJsScripts(officeJs, '/vendor/office-js/')
  .map((src) => `    <script src="${src}"></script>\n`)
  .join('')}    <script defer src="taskpane.js"></script>
  </head>
  <body>
    <div id="root"></div>
    <noscript>機敏守門員需要 JavaScript。 Secrecy Guard needs JavaScript.</noscript>
  </body>
</html>
`;

/** The pdfjs worker (legacy build, like the main library) and every packed CMap, by output name. */
function pdfFiles() {
  const files = {
    'pdf.worker.min.mjs': () => readFileSync(path.join(PDFJS, 'legacy', 'build', 'pdf.worker.min.mjs')),
  };
  for (const name of readdirSync(path.join(PDFJS, 'cmaps'))) {
    if (name.endsWith('.bcmap')) {
      files[`cmaps/${name}`] = () => readFileSync(path.join(PDFJS, 'cmaps', name));
    }
  }
  return files;
}

/**
 * Sign-in settings fixed at build time: the add-in's Entra app (ADDIN_CLIENT_ID, else AUTH_CLIENT_ID) and the API
 * scope it asks for (ADDIN_API_SCOPE, else `api://<PUBLIC_URL host>/<client id>/access_as_user`).
 */
function authSettings() {
  const clientId = process.env.ADDIN_CLIENT_ID || process.env.AUTH_CLIENT_ID || '';
  const host = (() => {
    try {
      return new URL(publicUrlFromEnv(process.env)).host;
    } catch {
      return 'localhost:3000';
    }
  })();
  const scope = process.env.ADDIN_API_SCOPE || (clientId ? `api://${host}/${clientId}/access_as_user` : '');
  return { clientId, scopes: scope ? [scope] : [] };
}

/**
 * @param {{ production: boolean, EmitFilesPlugin: new (files: object, info?: object) => import('webpack').WebpackPluginInstance, officeJs?: { selfHosted: boolean, microsoftAjax: string } }} options
 * @returns {import('webpack').Configuration}
 */
module.exports = function taskpaneConfig({
  production,
  EmitFilesPlugin,
  officeJs = { selfHosted: false, microsoftAjax: '' },
}) {
  return {
    name: 'addin-taskpane',
    mode: production ? 'production' : 'development',
    target: ['web', 'es2019'],
    entry: { taskpane: path.join(ROOT, 'addin/taskpane/index.tsx') },
    output: {
      path: path.join(ROOT, 'dist/addin/taskpane'),
      filename: '[name].js',
      chunkFilename: '[name].[contenthash:8].js',
      publicPath: 'auto',
      clean: true,
    },
    resolve: {
      extensions: ['.tsx', '.ts', '.js', '.mjs'],
      fallback: { fs: false, path: false, crypto: false },
    },
    module: {
      rules: [
        {
          test: /\.[cm]?[jt]sx?$/,
          exclude: /node_modules[\\/](pdfjs-dist|react-dom|@fluentui)[\\/]/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                parser: { syntax: 'typescript', tsx: true },
                transform: { react: { runtime: 'automatic' } },
                target: 'es2019',
              },
              module: { type: 'es6' },
            },
          },
        },
      ],
    },
    plugins: [
      new webpack.DefinePlugin({ SECRECY_GUARD_AUTH: JSON.stringify(authSettings()) }),
      new EmitFilesPlugin({ 'taskpane.html': taskpaneHtml(officeJs) }),
      // pdfjs ships its worker minified; minifying 1.2 MB again only costs build time.
      new EmitFilesPlugin(pdfFiles(), { minimized: true }),
    ],
    devtool: production ? false : 'source-map',
    performance: { hints: false },
  };
};
