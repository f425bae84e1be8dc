const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/bench/'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs', ignoreDynamic: true } }],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Jest's default is one worker per core less one: a single worker, every suite one after another, on CI's 2 cores.
  // Most suites spend much of their time waiting (PostgreSQL, a browser, servers, the on-send deadlines), so two
  // workers overlap one suite's waiting with another's work.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  // A bound for a test that hangs, not a measure of speed (no test asserts one; timing is `npm run bench`): at a load
  // average of 10 on 2 cores a test runs several times slower than alone, and 30 s failed tests whose code was right.
  // Slower suites set their own, larger bounds.
  testTimeout: 120_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
