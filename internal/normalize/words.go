package normalize

import (
	"strings"

	"anken/internal/listing"
)

// validValue reports whether v is a value keywords.tsv may give field k.
func validValue(k kind, v string) bool {
	switch k {
	case kRemote:
		return v == "full" || v == "partial" || v == "onsite" || v == "remote" || v == "office"
	case kRole:
		for _, r := range listing.Roles {
			if string(r) == v {
				return true
			}
		}
	case kContract:
		for _, c := range listing.Contracts {
			if string(c) == v {
				return true
			}
		}
		return v == "employee"
	case kSideJob:
		return v == "yes" || v == "no"
	case kStart:
		return v == "immediate" || v == "open" || v == "relative"
	case kRate:
		return v == "negotiable" || v == "ask"
	}
	return false
}

// means calls fn for every meaning of kind k among hits; strict meanings
// only when field is true (the agency's own field text or a title).
func means(hits []hit, k kind, field bool, fn func(h hit, m meaning)) {
	for _, h := range hits {
		for _, m := range h.t.means {
			if m.kind == k && (field || !m.strict) {
				fn(h, m)
			}
		}
	}
}

// negated reports whether the words at s[i:] deny what precedes them:
// リモート(は)不可, 副業NG, 常駐なし.
func negated(s string, i int) bool {
	for n := 0; n < 3 && i < len(s); n++ {
		switch {
		case s[i] == ' ' || s[i] == ':' || s[i] == '(':
			i++
		case strings.HasPrefix(s[i:], "は"), strings.HasPrefix(s[i:], "が"), strings.HasPrefix(s[i:], "・"):
			i += len("は")
		}
	}
	rest := s[i:]
	for _, w := range [...]string{"不可", "なし", "無し", "ng", "×", "できません", "不要", "ではありません", "ではない", "禁止"} {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}

// readRemote reads the work style from the remote words among hits.
func readRemote(s string, hits []hit, field bool) (listing.Remote, bool) {
	var full, home, partial, weekly, occasional, onsite, weak, fullNeg, office bool
	means(hits, kRemote, field, func(h hit, m meaning) {
		neg := negated(s, h.end)
		switch m.val {
		case "full":
			if strings.HasPrefix(h.t.text, "在宅") {
				home = home || !neg
				onsite = onsite || neg
			} else {
				full = full || !neg
				fullNeg = fullNeg || neg
			}
		case "partial":
			partial = partial || !neg
			onsite = onsite || neg
		case "onsite":
			switch {
			case neg: // 常駐なし
				weak = true
			case occasionalOffice(s, h.start): // 初月のみ常駐
				occasional = true
			default:
				onsite = true
			}
		case "remote":
			weak = weak || !neg
			onsite = onsite || neg
		case "office":
			if neg { // 出社は不要
				full = true
				return
			}
			switch n, ok := officeDays(s, h.start); {
			case ok && n >= 5:
				onsite = true
			case ok:
				weekly = weekly || n > 0
				occasional = occasional || n == 0
			case occasionalOffice(s, h.start):
				occasional = true
			default:
				office = true
			}
		}
	})
	switch {
	case full && !weekly:
		return listing.RemoteFull, true
	case partial || weekly || occasional:
		return listing.RemotePartial, true
	case onsite:
		return listing.RemoteOnsite, true
	case home && !office:
		return listing.RemoteFull, true
	case home || weak || fullNeg:
		return listing.RemotePartial, true
	case office:
		return listing.RemoteOnsite, true
	}
	return "", false
}

// officeDays reads how often one goes to the office from the words just
// before 出社 at i: 週2(日), 週に1回 → days a week; 月1(回), 月数回 → 0.
func officeDays(s string, i int) (int, bool) {
	lo := max(0, i-15)
	w := s[lo:i]
	for _, suffix := range [...]string{"程度", "日", "回", "度", "ほど", "の"} {
		w = strings.TrimSuffix(w, suffix)
	}
	w = strings.TrimRight(w, " ")
	// w now ends with the count: 週2, 週1~2, 月1, 月数, 週に1
	j := len(w)
	for j > 0 && (w[j-1] >= '0' && w[j-1] <= '9' || w[j-1] == '~' || w[j-1] == '-') {
		j--
	}
	digits := w[j:]
	head := w[:j]
	if digits == "" {
		if strings.HasSuffix(head, "数") || strings.HasSuffix(head, "何") {
			head = strings.TrimSuffix(strings.TrimSuffix(head, "数"), "何")
			digits = "0"
		} else {
			return 0, false
		}
	}
	head = strings.TrimSuffix(head, "に")
	n := 0
	if digits[0] >= '0' && digits[0] <= '9' {
		n = int(digits[0] - '0')
	}
	switch {
	case strings.HasSuffix(head, "週"):
		if digits == "0" { // 週数回
			return 1, true
		}
		return n, true
	case strings.HasSuffix(head, "月"):
		return 0, true
	}
	return 0, false
}

// occasionalOffice reports whether 出社 at i is only now and then: 初日のみ,
// 必要に応じて, 稀に.
func occasionalOffice(s string, i int) bool {
	w := s[max(0, i-24):i]
	for _, x := range [...]string{"初日", "初月", "初回", "初週", "最初", "必要に応じ", "必要時", "たまに", "適宜", "稀に", "まれに", "キックオフ", "入場時", "年に", "年数回"} {
		if strings.Contains(w, x) {
			return true
		}
	}
	return false
}

// readRole reads the role from role words among hits. Job titles
// (バックエンドエンジニア) win over subject words (バックエンド, read only in
// a title or the role field); a title naming both front end and back end
// is fullstack.
func readRole(hits []hit, field bool) (listing.Role, bool) {
	var strong, weak []listing.Role
	means(hits, kRole, field, func(h hit, m meaning) {
		if m.strict {
			weak = append(weak, listing.Role(m.val))
		} else {
			strong = append(strong, listing.Role(m.val))
		}
	})
	var front, back bool
	for _, r := range append(strong, weak...) {
		front = front || r == listing.RoleFrontend
		back = back || r == listing.RoleBackend
	}
	if front && back {
		return listing.RoleFullstack, true
	}
	if len(strong) > 0 {
		return strong[0], true
	}
	if len(weak) > 0 {
		return weak[0], true
	}
	return "", false
}

// readContract reads the contract type: a specific type (準委任, 請負, 派遣)
// wins over 業務委託. employee says the text names employment (正社員),
// which is no contract type of a listing.
func readContract(hits []hit, field bool) (c listing.Contract, employee, ok bool) {
	means(hits, kContract, field, func(h hit, m meaning) {
		switch {
		case m.val == "employee":
			employee = true
		case c == "" || c == listing.ContractOutsourcing:
			c = listing.Contract(m.val)
		}
	})
	return c, employee, c != ""
}

// readSideJob reads whether a listing suits someone with a main job. An
// explicit no (副業不可) wins.
func readSideJob(s string, hits []hit, field bool) (ok, found bool) {
	yes, no := false, false
	means(hits, kSideJob, field, func(h hit, m meaning) {
		if m.val == "no" || negated(s, h.end) {
			no = true
		} else {
			yes = true
		}
	})
	switch {
	case no:
		return false, true
	case yes:
		return true, true
	}
	return false, false
}

// yesNo reads a one-word answer in a side_job field: OK, 可, ×, NG.
func yesNo(s string) (yes, ok bool) {
	switch strings.TrimSpace(s) {
	case "ok", "可", "可能", "yes", "y", "true", "1", "○", "◯", "〇", "あり", "有", "歓迎", "はい", "副業ok":
		return true, true
	case "ng", "不可", "不可能", "no", "n", "false", "0", "×", "✕", "なし", "無", "いいえ":
		return false, true
	}
	return false, false
}
