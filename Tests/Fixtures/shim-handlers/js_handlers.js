// Handlers for Tests/Conformance/test_hook_shims.py, run through plugins/shims/node-lambda.
'use strict';

console.log('noise at load'); // must land on stderr, not in the protocol

exports.handler = async (event) => {
  console.log('noise from handler');
  console.info('info noise');
  console.dir({ noise: 'dir' });
  process.stdout.write('noise via process.stdout\n');
  setTimeout(() => {}, 60000); // a leftover timer must not keep a spawned process alive
  event.response.handled = true;
  return event;
};

exports.boom = async () => {
  throw new TypeError('bad thing');
};

exports.context_info = async (event, context) => {
  const { functionName, functionVersion, invokedFunctionArn, memoryLimitInMB, awsRequestId, logGroupName, logStreamName } = context;
  event.response.context = {
    functionName, functionVersion, invokedFunctionArn, memoryLimitInMB, awsRequestId, logGroupName, logStreamName,
    remaining: context.getRemainingTimeInMillis(),
    callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
  };
  return event;
};

exports.callback = (event, context, callback) => {
  setTimeout(() => {
    event.response.style = 'callback';
    callback(null, event);
  }, 10);
};

exports.callbackError = (event, context, callback) => {
  callback(new RangeError('callback failed'));
};

exports.succeed = (event, context) => {
  event.response.style = 'succeed';
  context.succeed(event);
};

exports.done = (event, context) => {
  event.response.style = 'done';
  context.done(null, event);
};

exports.failString = (event, context) => {
  context.fail('plain string failure');
};

exports.rejects = () => Promise.reject(new Error('rejected'));

exports.throwsInTimer = (event, context, callback) => {
  setTimeout(() => {
    throw new SyntaxError('thrown in a timer');
  }, 10);
};
