// Package safefetchtest helps test code that fetches through safefetch:
// a resolver that gives any host name the address a test needs, such as a
// public-looking name that resolves to loopback.
package safefetchtest

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
)

// Resolver returns a resolver that answers every A (for an IPv4 ip) or
// AAAA (for an IPv6 ip) query with ip, speaking DNS over an in-memory
// stream: no network, no name server.
func Resolver(ip netip.Addr) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		client, server := net.Pipe()
		go serve(server, ip)
		return client, nil
	}}
}

// serve answers DNS queries on c, framed as over TCP (a two-byte length
// before each message), until c is closed.
func serve(c net.Conn, ip netip.Addr) {
	defer c.Close()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil || len(q) < 12 {
			return
		}
		i := 12 // the question's name: labels up to a zero byte
		for i < len(q) && q[i] != 0 {
			i += int(q[i]) + 1
		}
		if i+5 > len(q) {
			return
		}
		qtype := binary.BigEndian.Uint16(q[i+1:])
		resp := append([]byte(nil), q[:i+5]...)  // the header and the question
		resp[2], resp[3] = 0x81, 0x80            // a response; recursion desired and available
		binary.BigEndian.PutUint16(resp[4:], 1)  // one question
		binary.BigEndian.PutUint16(resp[6:], 0)  // no answer (yet)
		binary.BigEndian.PutUint16(resp[8:], 0)  // no authority
		binary.BigEndian.PutUint16(resp[10:], 0) // no additional records
		if (qtype == 1 && ip.Is4()) || (qtype == 28 && ip.Is6()) {
			binary.BigEndian.PutUint16(resp[6:], 1)
			resp = append(resp, 0xc0, 0x0c) // the question's name
			resp = binary.BigEndian.AppendUint16(resp, qtype)
			resp = binary.BigEndian.AppendUint16(resp, 1) // class IN
			resp = binary.BigEndian.AppendUint32(resp, 60)
			b := ip.AsSlice()
			resp = binary.BigEndian.AppendUint16(resp, uint16(len(b)))
			resp = append(resp, b...)
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(resp)))
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}
