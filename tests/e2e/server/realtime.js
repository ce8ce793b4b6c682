// Frappe's realtime (socket.io) server for the e2e tests, fronted the way nginx fronts it in production:
// one loopback port where /socket.io/ reaches socket.io and every other request is passed to the site's
// gunicorn. Desk pages opened on this port connect to socket.io on their own origin, as they do behind
// nginx, so neither the site's config nor Frappe's code changes.
//
// Environment: FRAPPE_BENCH_ROOT (the bench), FRAPPE_SOCKETIO_PORT (this server's port, read by Frappe's
// own config loader) and E2E_UPSTREAM_PORT (gunicorn's port on 127.0.0.1).
"use strict";

const dns = require("node:dns");
const http = require("node:http");
const net = require("node:net");
const path = require("node:path");

const LOOPBACK = "127.0.0.1";
const upstreamPort = Number(process.env.E2E_UPSTREAM_PORT);
if (!process.env.FRAPPE_BENCH_ROOT || !process.env.FRAPPE_SOCKETIO_PORT || !upstreamPort) {
	throw new Error("FRAPPE_BENCH_ROOT, FRAPPE_SOCKETIO_PORT and E2E_UPSTREAM_PORT are required");
}

// Frappe's server calls listen(port) with no host, which binds every interface: bind loopback instead.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
	const port = args[0];
	if (typeof port === "number" || (typeof port === "string" && /^\d+$/.test(port))) {
		const callback = args.find((arg) => typeof arg === "function");
		return listen.call(this, { port: Number(port), host: LOOPBACK }, callback);
	}
	return listen.apply(this, args);
};

// Socket.io checks each session by calling the site back on the page's origin (`<site>.localhost:<port>`).
// Browsers resolve *.localhost to loopback themselves (RFC 6761); do the same here.
const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
	if (typeof options === "function") {
		callback = options;
		options = {};
	}
	if (hostname === "localhost" || String(hostname).endsWith(".localhost")) {
		const all = typeof options === "object" && options !== null && options.all;
		const answer = all ? [[{ address: LOOPBACK, family: 4 }]] : [LOOPBACK, 4];
		process.nextTick(callback, null, ...answer);
		return {};
	}
	return lookup.call(this, hostname, options, callback);
};

function passToSite(request, response) {
	const upstream = http.request(
		{
			host: LOOPBACK,
			port: upstreamPort,
			method: request.method,
			path: request.url,
			headers: request.headers,
		},
		(answer) => {
			response.writeHead(answer.statusCode, answer.headers);
			answer.pipe(response);
		}
	);
	upstream.on("error", (error) => {
		if (!response.headersSent) response.writeHead(502, { "Content-Type": "text/plain" });
		response.end(`gunicorn did not answer: ${error.message}`);
	});
	request.pipe(upstream);
}

// Socket.io keeps the server's own request handler for every path that is not /socket.io/. Its own
// requests get the Origin header nginx gives them (`proxy_set_header Origin $scheme://$http_host`):
// browsers leave it out of same-origin polling, and Frappe refuses a socket without it.
const createServer = http.createServer;
http.createServer = function (...args) {
	const server = createServer.apply(this, args);
	if (args.some((arg) => typeof arg === "function")) return server;
	server.on("request", passToSite);
	const emit = server.emit;
	server.emit = function (event, request, ...rest) {
		if (
			(event === "request" || event === "upgrade") &&
			request.url.startsWith("/socket.io/")
		) {
			request.headers.origin = `http://${request.headers.host}`;
		}
		return emit.call(this, event, request, ...rest);
	};
	return server;
};

require(path.join(process.env.FRAPPE_BENCH_ROOT, "apps", "frappe", "realtime", "index.js"));
