// One webpack config for every browser bundle, one configuration per output folder under dist/ (each cleans only its
// own folder): the detection core and extractors as standalone scripts (dist/core), the add-in (dist/addin) and the
// Teams pages (dist/teams).
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
    require('./scripts/build/taskpane-webpack.cjs')({ production, EmitFilesPlugin }),
  ];
};

module.exports.EmitFilesPlugin = EmitFilesPlugin;
