#!/usr/bin/env node
// A local S3 server for gptvault's S3 tests: s3rver (a third-party S3
// imitation keeping objects in a folder), behind a small front server that
// adds what s3rver 3.7 lacks and what the tests want to control:
//
//  - Signature checking. s3rver checks only the access key id of a SigV4
//    request ("V4 signatures have incomplete support"); the front server
//    recomputes every signature, independently of gptvault's code, with the
//    secret s3rver holds for the key id (S3RVER/S3RVER), and checks the body
//    against x-amz-content-sha256. Failures get S3's own error bodies
//    (SignatureDoesNotMatch, XAmzContentSHA256Mismatch, ...).
//  - Conditional writes (PUT with If-None-Match: *), which s3rver ignores:
//    --conditional-writes ignore (s3rver's own behaviour, the default),
//    honour (412 when the object exists, like S3 since 2024) or reject (501).
//  - Faults: --fail-every N answers every Nth request with 503 SlowDown;
//    --reset-every N drops every Nth request's connection without a reply.
//  - GET /__stats: counters (requests, list pages, faults, rejections) as JSON.
//
// Usage: node --openssl-legacy-provider start-s3rver.js --directory DIR --bucket NAME [--port 0]
//          [--address 127.0.0.1] [--region us-east-1] [--conditional-writes MODE]
//          [--fail-every N] [--reset-every N]
// (s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3
// only has in its legacy provider; without it every truncated listing fails
// with 500 InternalError, so the script refuses to start.)
// Prints one JSON line {"address": ..., "port": ...} on stdout when ready.
// Stops on SIGTERM or SIGINT, and when its stdin closes (so it cannot
// outlive the test that started it).
'use strict';

const crypto = require('crypto');
const http = require('http');
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');

function parseArgs(argv) {
  const opts = {
    address: '127.0.0.1',
    port: 0,
    directory: null,
    buckets: [],
    region: 'us-east-1',
    conditionalWrites: 'ignore',
    failEvery: 0,
    resetEvery: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--address': opts.address = value(); break;
      case '--port': opts.port = Number(value()); break;
      case '--directory': opts.directory = value(); break;
      case '--bucket': opts.buckets.push(value()); break;
      case '--region': opts.region = value(); break;
      case '--conditional-writes': opts.conditionalWrites = value(); break;
      case '--fail-every': opts.failEvery = Number(value()); break;
      case '--reset-every': opts.resetEvery = Number(value()); break;
      default: throw new Error(`unknown argument ${arg}`);
    }
  }
  if (!opts.directory) throw new Error('--directory is required');
  if (!['ignore', 'honour', 'reject'].includes(opts.conditionalWrites)) {
    throw new Error('--conditional-writes must be ignore, honour or reject');
  }
  return opts;
}

const stats = {
  requests: 0,
  byMethod: {},
  listPages: 0,
  listContinuations: 0,
  injected503: 0,
  injectedResets: 0,
  rejected: {},
  conditionalPuts: 0,
  preconditionFailed: 0,
};

function xmlEscape(s) {
  return String(s).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

function sendError(res, status, code, message) {
  stats.rejected[code] = (stats.rejected[code] || 0) + 1;
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>` +
    '<RequestId>0</RequestId></Error>';
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

// SigV4's UriEncode: all but A-Z a-z 0-9 - . _ ~ percent-encoded, upper-case hex.
function uriEncode(s) {
  return Array.from(Buffer.from(s, 'utf8'))
    .map(b => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
    })
    .join('');
}

function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

// Returns null when the request's SigV4 signature is right, or
// [status, code, message] saying why not.
function checkSignature(req, body, region) {
  const auth = req.headers['authorization'];
  if (!auth) return [403, 'AccessDenied', 'Anonymous access is forbidden'];
  const match = /^AWS4-HMAC-SHA256 (.*)$/.exec(auth);
  if (!match) return [400, 'InvalidArgument', 'Unsupported Authorization Type'];
  const fields = {};
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) {
    return [400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed'];
  }
  const [keyId, date, scopeRegion, service, terminator] = fields.Credential.split('/');
  const account = AWSAccount.registry.get(keyId);
  if (!account) {
    return [403, 'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.'];
  }
  if (scopeRegion !== region || service !== 's3' || terminator !== 'aws4_request') {
    return [400, 'AuthorizationHeaderMalformed',
      `the credential scope is wrong; expecting region '${region}'`];
  }
  const amzDate = req.headers['x-amz-date'] || '';
  const parsed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!parsed || amzDate.slice(0, 8) !== date) {
    return [403, 'AccessDenied', 'x-amz-date is missing or does not match the credential scope'];
  }
  const when = Date.UTC(parsed[1], parsed[2] - 1, parsed[3], parsed[4], parsed[5], parsed[6]);
  if (Math.abs(Date.now() - when) > 15 * 60 * 1000) {
    return [403, 'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.'];
  }
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (!payloadHash) return [400, 'InvalidRequest', 'Missing required header x-amz-content-sha256'];
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256Hex(body)) {
    return [400, 'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed."];
  }
  const signedNames = fields.SignedHeaders.split(';');
  if (!signedNames.includes('host')) {
    return [400, 'AuthorizationHeaderMalformed', 'the host header must be signed'];
  }

  const [rawPath, rawQuery = ''] = req.url.split('?', 2);
  let canonicalUri;
  let canonicalQuery;
  try {
    canonicalUri = rawPath.split('/').map(seg => uriEncode(decodeURIComponent(seg))).join('/');
    canonicalQuery = rawQuery
      .split('&')
      .filter(p => p.length > 0)
      .map(p => {
        const eq = p.indexOf('=');
        const name = decodeURIComponent(eq < 0 ? p : p.slice(0, eq));
        const value = eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1));
        return [uriEncode(name), uriEncode(value)];
      })
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .map(([n, v]) => `${n}=${v}`)
      .join('&');
  } catch (err) {
    return [400, 'InvalidURI', 'Could not parse the specified URI.'];
  }
  const canonicalHeaders = signedNames
    .map(name => `${name}:${String(req.headers[name] || '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    req.method, canonicalUri, canonicalQuery, canonicalHeaders, fields.SignedHeaders, payloadHash,
  ].join('\n');
  const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const secret = account.accessKeys.get(keyId);
  let key = hmac('AWS4' + secret, date);
  key = hmac(key, scopeRegion);
  key = hmac(key, service);
  key = hmac(key, 'aws4_request');
  const expected = hmac(key, stringToSign).toString('hex');
  const given = Buffer.from(fields.Signature, 'utf8');
  if (given.length !== expected.length ||
      !crypto.timingSafeEqual(given, Buffer.from(expected, 'utf8'))) {
    process.stderr.write(`signature mismatch for ${req.method} ${req.url}; canonical request:\n` +
      `${canonicalRequest}\n`);
    return [403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. ' +
      'Check your key and signing method.'];
  }
  return null;
}

// "/bucket/some/key" -> ["bucket", "some/key"] (path-style addressing).
function bucketAndKey(url) {
  const path = url.split('?', 1)[0];
  const parts = path.split('/').slice(1).map(decodeURIComponent);
  return [parts[0] || '', parts.slice(1).join('/')];
}

function checkDesAvailable() {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
  } catch (err) {
    throw new Error('s3rver needs DES for ListObjectsV2 continuation tokens: ' +
      'run node with --openssl-legacy-provider');
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  checkDesAvailable();
  const inner = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: opts.directory,
    configureBuckets: opts.buckets.map(name => ({ name })),
  });
  const innerAddress = await inner.run();

  const forward = (req, res, body) => {
    const headers = { ...req.headers, 'content-length': String(body.length) };
    delete headers['expect'];
    delete headers['connection'];
    delete headers['keep-alive'];
    delete headers['transfer-encoding'];
    const out = http.request(
      { host: '127.0.0.1', port: innerAddress.port, method: req.method, path: req.url, headers },
      innerRes => {
        const h = { ...innerRes.headers };
        delete h['connection'];
        delete h['keep-alive'];
        res.writeHead(innerRes.statusCode, h);
        innerRes.pipe(res);
      });
    out.on('error', err => sendError(res, 500, 'InternalError', String(err)));
    out.end(body);
  };

  const handle = async (req, res, body) => {
    if (req.method === 'GET' && req.url === '/__stats') {
      const json = JSON.stringify(stats);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(json);
      return;
    }
    stats.requests++;
    stats.byMethod[req.method] = (stats.byMethod[req.method] || 0) + 1;
    if (opts.resetEvery > 0 && stats.requests % opts.resetEvery === 0) {
      stats.injectedResets++;
      req.socket.destroy();
      return;
    }
    if (opts.failEvery > 0 && stats.requests % opts.failEvery === 0) {
      stats.injected503++;
      sendError(res, 503, 'SlowDown', 'Please reduce your request rate.');
      return;
    }
    const bad = checkSignature(req, body, opts.region);
    if (bad) {
      sendError(res, ...bad);
      return;
    }
    const [bucket, key] = bucketAndKey(req.url);
    if (req.method === 'GET' && key === '' && /[?&]list-type=2(&|$)/.test(req.url)) {
      stats.listPages++;
      if (/[?&]continuation-token=/.test(req.url)) stats.listContinuations++;
    }
    if (req.method === 'PUT' && key !== '' && req.headers['if-none-match'] !== undefined) {
      stats.conditionalPuts++;
      if (opts.conditionalWrites === 'reject') {
        sendError(res, 501, 'NotImplemented',
          'A header you provided implies functionality that is not implemented');
        return;
      }
      if (opts.conditionalWrites === 'honour' && req.headers['if-none-match'] === '*' &&
          await inner.store.existsObject(bucket, key)) {
        stats.preconditionFailed++;
        sendError(res, 412, 'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold');
        return;
      }
    }
    forward(req, res, body);
  };

  const front = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(err => {
        process.stderr.write(`front server error: ${err.stack || err}\n`);
        if (!res.headersSent) sendError(res, 500, 'InternalError', 'front server error');
      });
    });
  });
  await new Promise((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.port, opts.address, resolve);
  });
  const { address, port } = front.address();
  process.stdout.write(JSON.stringify({ address, port }) + '\n');

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    front.close();
    inner.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

main().catch(err => {
  process.stderr.write(`start-s3rver: ${err.message || err}\n`);
  process.exit(2);
});
