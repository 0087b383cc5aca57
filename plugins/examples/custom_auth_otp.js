// Custom auth with an e-mailed one-time code: DefineAuthChallenge, CreateAuthChallenge and
// VerifyAuthChallengeResponse in one async handler, dispatched on triggerSource. Configure the same
// function for all three triggers.
// "Delivery" appends {"userName", "email", "code"} as a JSON line to OTP_OUTBOX (default
// otp-outbox.jsonl in the working directory, the plugins directory); replace deliver() with a real
// mailer. Three wrong codes fail the sign-in. A plain Cognito Lambda handler; Postern runs it through
// shims/node-lambda.
'use strict';
const crypto = require('crypto');
const fs = require('fs/promises');

const MAX_FAILURES = 3;

exports.handler = async (event) => {
  switch (event.triggerSource) {
    case 'DefineAuthChallenge_Authentication': define(event); break;
    case 'CreateAuthChallenge_Authentication': await create(event); break;
    case 'VerifyAuthChallengeResponse_Authentication': verify(event); break;
    default: throw new Error(`Unsupported trigger source ${event.triggerSource}`);
  }
  return event;
};

function define({ request, response }) {
  const session = request.session || [];
  const last = session[session.length - 1];
  const failures = session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE' && !s.challengeResult).length;
  response.issueTokens = false;
  response.failAuthentication = false;
  if (request.userNotFound) {
    response.failAuthentication = true;
  } else if (last && last.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult === true) {
    response.issueTokens = true;
  } else if (failures >= MAX_FAILURES) {
    response.failAuthentication = true;
  } else {
    response.challengeName = 'CUSTOM_CHALLENGE';
  }
}

async function create({ userName, request, response }) {
  const email = (request.userAttributes || {}).email;
  if (!email) throw new Error('No email address to send the code to');
  const code = String(crypto.randomInt(0, 1000000)).padStart(6, '0');
  await deliver(userName, email, code);
  response.publicChallengeParameters = { email: mask(email) };
  response.privateChallengeParameters = { answer: code };
  response.challengeMetadata = `OTP-${(request.session || []).length + 1}`;
}

function deliver(userName, email, code) {
  return fs.appendFile(process.env.OTP_OUTBOX || 'otp-outbox.jsonl', JSON.stringify({ userName, email, code }) + '\n');
}

// "alice@example.com" -> "a***@example.com"
function mask(email) {
  const at = email.lastIndexOf('@');
  return at > 0 ? `${email[0]}***${email.slice(at)}` : '***';
}

function verify({ request, response }) {
  const expected = Buffer.from(String((request.privateChallengeParameters || {}).answer ?? ''));
  const given = Buffer.from(String(request.challengeAnswer ?? ''));
  // timingSafeEqual throws on different lengths; a length mismatch is simply a wrong answer.
  response.answerCorrect = expected.length > 0 && expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
