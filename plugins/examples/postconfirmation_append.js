// PostConfirmation: appends one JSON line per confirmed user to CONFIRMATIONS_FILE
// (default confirmations.jsonl in the working directory, which is the plugins directory).
// A plain callback-style Cognito Lambda handler; Postern runs it through shims/node-lambda.
'use strict';
const fs = require('fs');

exports.handler = (event, context, callback) => {
  const attributes = event.request.userAttributes || {};
  const line = JSON.stringify({
    time: new Date().toISOString(),
    triggerSource: event.triggerSource,
    userPoolId: event.userPoolId,
    userName: event.userName,
    sub: attributes.sub ?? null,
    email: attributes.email ?? null,
  });
  fs.appendFile(process.env.CONFIRMATIONS_FILE || 'confirmations.jsonl', line + '\n', (err) => {
    if (err) return callback(err);
    callback(null, event);
  });
};
