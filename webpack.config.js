// One webpack config for every browser bundle, one configuration per output folder under dist/ (each cleans only its
// own folder): the detection core and extractors as standalone scripts (dist/core), the add-in (dist/addin, and, when
// self-hosted, the office.js copy in dist/vendor/office-js), the Teams pages (dist/teams), the manifests, icons and app
// package (dist/manifest, dist/app-package.zip) with the Entra app registration (dist/entra/app-registration.json), and
// the local-mode playground (dist/playground).
const { readFileSync } = require('node:fs');
const path = require('node:path');

const webpack = require('webpack');

const { packedBig5Index } = require('./scripts/build/big5-index.cjs');
const { packedGb18030Index } = require('./scripts/build/gb18030-index.cjs');
const { OFFICE_JS_FILES, officeJsOptions, officeJsScripts } = require('./scripts/build/office-js.cjs');
const { publicUrlFromEnv } = require('./scripts/build/public-url.cjs');
const siteConfig = require('./scripts/build/site-webpack.cjs');
const teamsPagesConfig = require('./teams-app/webpack.teams.js');

/**
 * Emits small generated files (the HTML shells of the pages, copied vendor files) into a compilation, so no template
 * or copy plugin is needed. `files` maps an output name to its content, or to a function returning it.
 */
class EmitFilesPlugin {
  /**
   * @param {Record<string, string | Buffer | (() => string | Buffer)>} files
   * @param {import('webpack').AssetInfo} [info] e.g. `{ minimized: true }` for files already minified upstream
   */
  constructor(files, info = {}) {
    this.files = files;
    this.info = info;
  }
  /** @param {import('webpack').Compiler} compiler */
  apply(compiler) {
    const { Compilation, sources } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('EmitFilesPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'EmitFilesPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          for (const [name, content] of Object.entries(this.files)) {
            const value = typeof content === 'function' ? content() : content;
            compilation.emitAsset(name, new sources.RawSource(value), this.info);
          }
        },
      );
    });
  }
}

/**
 * Emits the manifests, icons and app package that `manifest/build.ts` makes from the environment (PUBLIC_URL,
 * AUTH_CLIENT_ID, SEND_MODE). The TypeScript source is loaded only when this configuration compiles, through tsx's
 * scoped require (it registers nothing globally); a bad option becomes a build error that names the variable.
 */
class ManifestPlugin {
  /** @param {import('webpack').Compiler} compiler */
  apply(compiler) {
    const { Compilation, sources, WebpackError } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('ManifestPlugin', (compilation) => {
      compilation.contextDependencies.add(path.resolve(__dirname, 'manifest'));
      compilation.fileDependencies.add(path.resolve(__dirname, 'src/shared/app-ids.ts'));
      compilation.fileDependencies.add(path.resolve(__dirname, 'src/shared/entra-registration.ts'));
      compilation.hooks.processAssets.tap(
        { name: 'ManifestPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          const { require: tsxRequire } = require('tsx/cjs/api');
          const { buildManifestFiles, ManifestOptionError } = tsxRequire('./manifest/build.ts', __filename);
          let build;
          try {
            build = buildManifestFiles(process.env);
          } catch (e) {
            if (!(e instanceof ManifestOptionError)) {
              throw e;
            }
            const error = new WebpackError(e.message);
            error.hideStack = true;
            compilation.errors.push(error);
            return;
          }
          for (const warning of build.warnings) {
            compilation.warnings.push(new WebpackError(warning));
          }
          for (const [name, content] of Object.entries(build.files)) {
            compilation.emitAsset(name, new sources.RawSource(content));
          }
        },
      );
    });
  }
}

/**
 * dist/ entries the manifest configuration owns: the only ones its clean step may remove (the manifests, the app
 * package, the well-known file classic Outlook needs for SSO and CORS from the on-send script, and the Entra app
 * registration).
 */
const MANIFEST_OUTPUTS = /^(manifest(\/|$)|app-package\.zip$|\.well-known(\/|$)|entra(\/|$))/;

/** A self-hosted office.js copy that a build without one leaves behind (the manifest build's clean removes it). The clean
 * step visits `vendor` itself before its entries, so it must not be kept either. */
const VENDOR_OFFICE_JS = /^vendor($|\/office-js($|\/))/;

/** The compilation rule every configuration uses: swc down to ES2016, dependencies included. */
const swcRule = {
  test: /\.[cm]?[jt]s$/,
  // Dependencies are compiled down too: their own syntax may be newer than ES2016.
  use: {
    loader: 'swc-loader',
    options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2016' }, module: { type: 'es6' } },
  },
};

/** The event runtime's page for web, new Outlook and Mac: office.js (scripts/build/office-js.cjs), then the on-send
 * script. No UI. Classic Outlook on Windows loads launchevent.js alone, without this page or office.js. */
const commandsHtml = (officeJs) => `<!doctype html>
<html lang="zh-Hant-TW">
  <head>
    <meta charset="utf-8" />
    <title>Secrecy Guard</title>
${officeJsScripts(officeJs, '../vendor/office-js/')
  .map((src) => `    <script src="${src}"></script>\n`)
  .join('')}    <script src="launchevent.js"></script>
  </head>
  <body></body>
</html>
`;

/** @type {(env: Record<string, string>, argv: { mode?: string }) => import('webpack').Configuration[]} */
module.exports = (_env, argv) => {
  const production = argv.mode !== 'development';
  // Read when the build runs, so a bad OFFICE_JS stops it with the variable named.
  const officeJs = officeJsOptions(process.env);
  return [
    {
      name: 'core',
      mode: production ? 'production' : 'development',
      // The classic Outlook on Windows runtime before 2403 only understands ES2016.
      target: ['web', 'es2016'],
      entry: {
        'secrecy-guard-core': { import: './src/core/index.ts', library: { name: 'SecrecyGuardCore', type: 'var' } },
        'secrecy-guard-extract': {
          import: './src/extract/index.ts',
          library: { name: 'SecrecyGuardExtract', type: 'var' },
        },
      },
      output: {
        path: path.resolve(__dirname, 'dist/core'),
        filename: '[name].js',
        clean: true,
      },
      resolve: { extensions: ['.ts', '.js'], fallback: { fs: false, path: false, crypto: false } },
      module: { rules: [swcRule] },
      // Standalone scripts: what the extractors load lazily (postal-mime) stays inside each file, loaded on first use.
      plugins: [new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 })],
      devtool: production ? false : 'source-map',
      performance: { hints: false },
    },
    {
      // The on-send script (addin/on-send): ONE self-contained ES2016 file that classic Outlook's JS-only runtime
      // loads directly (no imports, chunks, DOM or storage), plus the page the other clients load it from.
      name: 'addin-on-send',
      mode: production ? 'production' : 'development',
      target: ['web', 'es2016'],
      entry: { launchevent: './addin/on-send/launchevent.ts' },
      output: {
        path: path.resolve(__dirname, 'dist/addin'),
        filename: '[name].js',
        // The task pane builds into dist/addin/taskpane and cleans that itself.
        clean: { keep: /^taskpane[\\/]/ },
      },
      resolve: {
        extensions: ['.ts', '.js'],
        alias: {
          // fflate's CommonJS build: webpack runs a CommonJS module on first use, the ES module build at load, and
          // fflate builds its inflate tables (a 32,768-entry one among them) at load. A send without a ZIP-based
          // attachment (.docx, .odt…) does not need them: they are built when the first one is read.
          fflate$: path.join(path.dirname(require.resolve('fflate')), 'browser.cjs'),
        },
        fallback: { fs: false, path: false, crypto: false },
      },
      module: { rules: [swcRule] },
      plugins: [
        // The runtime may have none of these (or a Blob that throws): every module gets ours, or the host's where it
        // works (addin/on-send/runtime/host-shims.ts).
        new webpack.ProvidePlugin({
          TextDecoder: [path.resolve(__dirname, 'addin/on-send/runtime/host-shims.ts'), 'TextDecoder'],
          TextEncoder: [path.resolve(__dirname, 'addin/on-send/runtime/host-shims.ts'), 'TextEncoder'],
          Blob: [path.resolve(__dirname, 'addin/on-send/runtime/host-shims.ts'), 'Blob'],
          FileReader: [path.resolve(__dirname, 'addin/on-send/runtime/host-shims.ts'), 'FileReader'],
        }),
        new webpack.DefinePlugin({
          __PUBLIC_URL__: JSON.stringify(publicUrlFromEnv(process.env)),
        }),
        new webpack.experiments.schemes.VirtualUrlPlugin({
          'big5-index': { type: '.js', source: () => `export default ${JSON.stringify(packedBig5Index())};` },
          'gb18030-index': { type: '.js', source: () => `export default ${JSON.stringify(packedGb18030Index())};` },
        }),
        new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
        new EmitFilesPlugin({ 'commands.html': commandsHtml(officeJs) }),
      ],
      optimization: {
        // ASCII only: whatever charset a host assumes for the script, the marks it looks for stay intact.
        minimizeOptions: { javascript: { compress: { passes: 2 }, format: { ascii_only: true } } },
      },
      devtool: production ? false : 'source-map',
      performance: { hints: false },
    },
    {
      name: 'manifest',
      mode: production ? 'production' : 'development',
      // No modules: the plugin emits every file.
      entry: {},
      output: {
        path: path.resolve(__dirname, 'dist'),
        // Other configurations write beside these files in dist/: keep everything that is not ours. A build that
        // does not self-host office.js also removes an earlier build's copy, which the server would go on serving.
        clean: {
          keep: (asset) =>
            !MANIFEST_OUTPUTS.test(asset) &&
            !(VENDOR_OFFICE_JS.test(asset) && !officeJs.selfHosted && !officeJs.microsoftAjax),
        },
      },
      plugins: [new ManifestPlugin()],
      // The files are emitted exactly as manifest/build.ts makes them (production mode would minify the HTML page).
      optimization: { minimize: false },
      performance: { hints: false },
    },
    // office.js and the Outlook files it loads, from node_modules into dist/vendor/office-js (never committed), only
    // when self-hosted (OFFICE_JS=self); MicrosoftAjax.js beside it whenever the build was given a copy.
    ...(officeJs.selfHosted || officeJs.microsoftAjax
      ? [
          {
            name: 'vendor-office-js',
            mode: production ? 'production' : 'development',
            entry: {},
            output: { path: path.resolve(__dirname, 'dist/vendor/office-js'), clean: true },
            // Microsoft's files as published: not minified again.
            optimization: { minimize: false },
            performance: { hints: false },
            plugins: [
              new EmitFilesPlugin(
                Object.fromEntries([
                  ...(officeJs.microsoftAjax ? [['MicrosoftAjax.js', () => readFileSync(officeJs.microsoftAjax)]] : []),
                  ...(officeJs.selfHosted ? OFFICE_JS_FILES : []).map((file) => [
                    file,
                    () =>
                      readFileSync(
                        path.join(path.dirname(require.resolve('@microsoft/office-js/package.json')), 'dist', file),
                      ),
                  ]),
                ]),
              ),
            ],
          },
        ]
      : []),
    teamsPagesConfig({ production, EmitFilesPlugin }),
    siteConfig({ production, EmitFilesPlugin }),
    require('./scripts/build/playground-webpack.cjs')({ production, EmitFilesPlugin }),
    require('./scripts/build/taskpane-webpack.cjs')({
      production,
      EmitFilesPlugin,
      officeJs,
    }),
  ];
};

module.exports.EmitFilesPlugin = EmitFilesPlugin;
module.exports.OFFICE_JS_FILES = OFFICE_JS_FILES;
