// The Teams meeting pages (dist/teams): one bundle per page, React/Fluent/teams-js in a shared vendor bundle, and
// the HTML shells. The pages call the API on their own origin, so nothing about the server is baked in.
const path = require('node:path');

/** Page name → entry module; the names are the HTML files of PAGE_PATHS (src/shared/app-ids.ts). */
const PAGES = {
  config: './teams-app/config/index.tsx',
  'side-panel': './teams-app/side-panel/index.tsx',
  stage: './teams-app/stage/index.tsx',
};

const shell = (page) => `<!doctype html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>機敏守門員 Secrecy Guard</title>
<style>html,body{margin:0;padding:0}</style>
</head>
<body>
<div id="root"></div>
<noscript>請啟用 JavaScript / Please enable JavaScript.</noscript>
<script src="vendor.js"></script>
<script src="${page}.js"></script>
</body>
</html>
`;

/**
 * @param {{ production: boolean, EmitFilesPlugin: new (files: Record<string, string>) => import('webpack').WebpackPluginInstance }} options
 * @returns {import('webpack').Configuration}
 */
module.exports = function teamsPagesConfig({ production, EmitFilesPlugin }) {
  return {
    name: 'teams',
    mode: production ? 'production' : 'development',
    // Teams runs pages in Edge WebView2, Chromium-based browsers, Safari and Firefox, all current.
    target: ['web', 'es2020'],
    entry: PAGES,
    output: {
      path: path.resolve(__dirname, '..', 'dist', 'teams'),
      filename: '[name].js',
      clean: true,
    },
    resolve: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                parser: { syntax: 'typescript', tsx: true },
                transform: { react: { runtime: 'automatic' } },
                target: 'es2020',
              },
              module: { type: 'es6' },
            },
          },
        },
      ],
    },
    optimization: {
      splitChunks: {
        chunks: 'all',
        cacheGroups: {
          default: false,
          defaultVendors: false,
          vendor: { test: /[\\/]node_modules[\\/]/, name: 'vendor', chunks: 'all', enforce: true },
        },
      },
    },
    plugins: [new EmitFilesPlugin(Object.fromEntries(Object.keys(PAGES).map((p) => [`${p}.html`, shell(p)])))],
    devtool: production ? false : 'source-map',
    performance: { hints: false },
  };
};
