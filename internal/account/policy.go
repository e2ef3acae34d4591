package account

import (
	_ "embed"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"anken/internal/listing"
	"anken/internal/problem"
)

// Password lengths, in characters (runes).
const (
	MinPassword = 10
	MaxPassword = 256 // argon2 takes any length; this bounds the work of a request
)

//go:embed common-passwords.txt
var commonFile string

// common holds the refused passwords, lower case.
var common = func() map[string]bool {
	m := map[string]bool{}
	for line := range strings.SplitSeq(commonFile, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = true
		}
	}
	return m
}()

// baseWords are refused with any digits or symbols after them
// (password2026!, qwerty1234567).
var baseWords = []string{"password", "passw0rd", "p@ssw0rd", "p@ssword", "qwerty", "iloveyou", "welcome",
	"letmein", "admin", "anken", "monkey", "dragon", "abc", "test"}

// walks are sequences people type instead of a password: alphabet,
// digits and keyboard rows. A password that is a run of one of them,
// either way, is refused.
var walks = func() []string {
	fwd := []string{
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
		"0123456789012345678901234567890123456789",
		"qwertyuiopasdfghjklzxcvbnm",
		"qwertyuiop[]asdfghjkl;'zxcvbnm,./",
		"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
		"1q2w3e4r5t6y7u8i9o0p",
		"!@#$%^&*()_+",
		"あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん",
	}
	out := fwd
	for _, w := range fwd {
		r := []rune(w)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		out = append(out, string(r))
	}
	return out
}()

// CheckPassword says why password may not be used by the holder of email,
// as an Unprocessable problem naming field: too short or long, one of the
// most common passwords, a short pattern repeated, a keyboard or alphabet
// walk, or containing the address. nil means it may.
func CheckPassword(password, email, field string) error {
	bad := func(msg string) error { return problem.Field(problem.Unprocessable, field, nil, msg) }
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return bad("must be valid UTF-8")
	case n < MinPassword:
		return bad("must be at least 10 characters")
	case n > MaxPassword:
		return bad("must be at most 256 characters")
	case listing.HasControl(password):
		return bad("must not contain control characters (NUL, tab, line breaks)")
	}
	folded := strings.ToLower(password)
	if common[folded] {
		return bad("is one of the most common passwords; choose one that is hard to guess")
	}
	base := strings.TrimRightFunc(folded, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	for _, w := range baseWords {
		if base == w {
			return bad("is a common word followed by digits or symbols; choose one that is hard to guess")
		}
	}
	if repeats(folded) {
		return bad("repeats a short pattern; choose one that is hard to guess")
	}
	for _, w := range walks {
		if strings.Contains(w, folded) {
			return bad("is a simple sequence of keys or letters; choose one that is hard to guess")
		}
	}
	if email != "" {
		addr := strings.ToLower(strings.TrimSpace(email))
		local, _, _ := strings.Cut(addr, "@")
		if strings.Contains(folded, addr) || (utf8.RuneCountInString(local) >= 3 && strings.Contains(folded, local)) {
			return bad("must not contain your email address")
		}
	}
	return nil
}

// repeats reports whether s is one unit of up to 4 characters repeated,
// the last time perhaps in part: aaaaaaaaaa, abababababab, abcabcabca.
func repeats(s string) bool {
	r := []rune(s)
	for unit := 1; unit <= 4 && unit < len(r); unit++ {
		same := true
		for i := unit; i < len(r); i++ {
			if r[i] != r[i-unit] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// MaxEmail is the longest address accepted (RFC 5321's path limit).
const MaxEmail = 254

// CheckEmail returns the address folded (trimmed, lower case), or an
// Unprocessable problem naming field when it is not one plain address.
func CheckEmail(email, field string) (string, error) {
	addr := strings.ToLower(strings.TrimSpace(email))
	bad := func(msg string) (string, error) {
		return "", problem.Field(problem.Unprocessable, field, email, msg)
	}
	if addr == "" {
		return bad("is required")
	}
	if listing.HasControl(addr) {
		return bad("is not an email address such as taro@example.jp")
	}
	if len(addr) > MaxEmail {
		return bad("must be at most 254 bytes")
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr || !strings.Contains(addr[strings.LastIndex(addr, "@")+1:], ".") {
		return bad("is not an email address such as taro@example.jp")
	}
	return addr, nil
}
