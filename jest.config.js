// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  moduleNameMapper: {
    ...base.moduleNameMapper,
    // d3-color 3.1 ships ESM (.mjs) as its main entry, which the scaffold's transform skips: use its UMD build.
    '^d3-color$': '<rootDir>/node_modules/d3-color/dist/d3-color.js',
  },
};
