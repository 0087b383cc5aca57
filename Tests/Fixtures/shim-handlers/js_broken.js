// Fails at load, for the load-failure test.
require('no-such-module-for-postern-tests');
exports.handler = async (event) => event;
