// One webpack config for every browser bundle. Entries are added as the add-in and Teams pages land; today it builds
// the detection core and the extractors as standalone scripts, to prove they bundle without Node built-ins for the
// add-in runtimes.
const path = require('node:path');

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
  ];
};
