// Package auth checks SIL passwords and the per-ente hash of
// paaSILInviaCarrelloDovuti. MyPay compares passwords in clear; Ponte stores
// argon2id (or imported bcrypt) hashes and keeps a short-lived cache of
// verified passwords so that a busy SIL client does not pay argon2 on every
// request. Pure computation, no I/O.
package auth
