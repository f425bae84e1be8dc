// The local-mode playground (dist/playground): its page, the Office host fake the real task pane and each send
// check's runtime get in place of office.js, and their HTML shells. The server serves these only in local mode (no
// AUTH_* setting); the pane's shell is served at /addin/taskpane/playground.html, beside the pane's own files.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCE = path.join(ROOT, 'src/dev/playground');

/** The real task pane (taskpane.js, from its own folder) with the playground's Outlook in place of office.js. */
const PANE_SHELL = `<!doctype html>
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
    <script src="/playground/pane-office.js"></script>
    <script defer src="taskpane.js"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`;

/** One send check's runtime: the fake host, then the built on-send script, as commands.html loads office.js first. */
const RUNTIME_SHELL = `<!doctype html>
<html lang="zh-Hant-TW">
  <head>
    <meta charset="utf-8" />
    <title>Secrecy Guard send check</title>
    <script src="runtime-office.js"></script>
    <script src="/addin/launchevent.js"></script>
  </head>
  <body></body>
</html>
`;

/**
 * @param {{ production: boolean, EmitFilesPlugin: new (files: object) => import('webpack').WebpackPluginInstance }} options
 * @returns {import('webpack').Configuration}
 */
module.exports = function playgroundConfig({ production, EmitFilesPlugin }) {
  return {
    name: 'playground',
    mode: production ? 'production' : 'development',
    target: ['web', 'es2020'],
    entry: {
      playground: path.join(SOURCE, 'index.ts'),
      'pane-office': path.join(SOURCE, 'pane-office.ts'),
      'runtime-office': path.join(SOURCE, 'runtime-office.ts'),
      'teams-host': path.join(SOURCE, 'teams-host.ts'),
    },
    output: { path: path.join(ROOT, 'dist/playground'), filename: '[name].js', clean: true },
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [
        {
          test: /\.ts$/,
          use: {
            loader: 'swc-loader',
            options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2020' }, module: { type: 'es6' } },
          },
        },
      ],
    },
    plugins: [
      new EmitFilesPlugin({
        'index.html': () => readFileSync(path.join(SOURCE, 'index.html'), 'utf8'),
        'playground.css': () => readFileSync(path.join(SOURCE, 'playground.css'), 'utf8'),
        'teams-host.html': () => readFileSync(path.join(SOURCE, 'teams-host.html'), 'utf8'),
        'taskpane.html': PANE_SHELL,
        'runtime.html': RUNTIME_SHELL,
      }),
    ],
    devtool: false,
    performance: { hints: false },
  };
};
