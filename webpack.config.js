// One webpack config for every browser bundle, one configuration per output folder under dist/ (each cleans only its
// own folder): the detection core and extractors as standalone scripts (dist/core), the add-in (dist/addin), the
// Teams pages (dist/teams), and the manifests, icons and app package (dist/manifest, dist/app-package.zip).
const path = require('node:path');

/**
 * Emits small generated files (the HTML shells of the pages, copied vendor files) into a compilation, so no template
 * or copy plugin is needed. `files` maps an output name to its content, or to a function returning it.
 */
class EmitFilesPlugin {
  /** @param {Record<string, string | Buffer | (() => string | Buffer)>} files */
  constructor(files) {
    this.files = files;
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
            compilation.emitAsset(name, new sources.RawSource(value));
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

/** dist/ entries the manifest configuration owns: the only ones its clean step may remove. */
const MANIFEST_OUTPUTS = /^(manifest(\/|$)|app-package\.zip$)/;

/** @type {(env: Record<string, string>, argv: { mode?: string }) => import('webpack').Configuration[]} */
module.exports = (_env, argv) => {
  const production = argv.mode !== 'development';
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
      module: {
        rules: [
          {
            test: /\.[cm]?[jt]s$/,
            // Dependencies are compiled down too: their own syntax may be newer than ES2016.
            use: {
              loader: 'swc-loader',
              options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2016' }, module: { type: 'es6' } },
            },
          },
        ],
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
        // Other configurations write beside these files in dist/: keep everything that is not ours.
        clean: { keep: (asset) => !MANIFEST_OUTPUTS.test(asset) },
      },
      plugins: [new ManifestPlugin()],
      // The files are emitted exactly as manifest/build.ts makes them (production mode would minify the HTML page).
      optimization: { minimize: false },
      performance: { hints: false },
    },
  ];
};

module.exports.EmitFilesPlugin = EmitFilesPlugin;
