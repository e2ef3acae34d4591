package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Webhook signatures. A delivery carries
//
//	Anken-Signature: t=1767225600,v1=5257a869e7…
//
// where t is the Unix time of signing and v1 the hex HMAC-SHA256 of
// "<t>.<body>" under the agency's webhook secret. Several v1 values may be
// sent (while a secret is rotated); one matching is enough.

// SignatureHeader names the header.
const SignatureHeader = "Anken-Signature"

// Tolerance is how far a signature's time may be from now.
const Tolerance = 5 * time.Minute

// Signature errors.
var (
	ErrSignatureMalformed = errors.New("signature header is malformed: want t=<unix seconds>,v1=<hex HMAC-SHA256>")
	ErrSignatureStale     = errors.New("signature timestamp is more than 5 minutes from now")
	ErrSignatureMismatch  = errors.New("signature does not match the body: sign \"<t>.<body>\" with HMAC-SHA256 under your webhook secret")
)

// Sign returns the header value for body signed at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks header against body and returns the matching signature
// ("<t>.<v1>"), which names this delivery for replay detection.
//
// The header's form and time are checked before the secret is used, so
// ErrSignatureMalformed and ErrSignatureStale say nothing about the secret
// (nor whether there is one): with an empty secret (an unknown agency, or
// one without a secret) a well-formed, fresh header fails with
// ErrSignatureMismatch, after the same work as a wrong signature.
func Verify(header, secret string, body []byte, now time.Time) (string, error) {
	var (
		ts   string
		sigs []string
	)
	if len(header) > 4096 {
		return "", ErrSignatureMalformed
	}
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", ErrSignatureMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, strings.ToLower(v))
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 || sec <= 0 {
		return "", ErrSignatureMalformed
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > Tolerance || d < -Tolerance {
		return "", fmt.Errorf("%w (t=%d, now %d)", ErrSignatureStale, sec, now.Unix())
	}
	if secret == "" {
		mac("whsec_none", ts, body) // the same work as for a real secret
		return "", ErrSignatureMismatch
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return ts + "." + want, nil
		}
	}
	return "", ErrSignatureMismatch
}
