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
		if v == "lead" || v == "engineer" {
			return true
		}
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
	var full, home, partial, weekly, occasional, period, onsite, weak, fullNeg, office bool
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
			case startPeriod(s, h.start, h.end): // 初月のみ常駐
				period = true
			case occasionalOffice(s, h.start): // 初日のみ常駐
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
			switch n, ok := officeDays(s, h.start, h.end); {
			case ok && n >= 5:
				onsite = true
			case ok:
				weekly = weekly || n > 0
				occasional = occasional || n == 0
			case startPeriod(s, h.start, h.end):
				period = true
			case occasionalOffice(s, h.start):
				occasional = true
			default:
				office = true
			}
		}
	})
	switch {
	case full && !weekly && !period:
		return listing.RemoteFull, true
	case partial || weekly || occasional || period:
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

// officeDays reads how often one goes to the office from the words
// around 出社 at [i, end): before it, 週2(日), 週に1回, 月2回程度オフィス,
// or after it, 出社は月に1回, 出社頻度: 週1回. It returns days a week, 0
// for a few days a month.
func officeDays(s string, i, end int) (int, bool) {
	// Before: the last 週N or 月N in the few words before, in the clause.
	lo := runeStart(s, max(0, i-30))
	w := s[lo:i]
	if k := lastBreak(w); k >= 0 {
		w = w[k:]
	}
	if n, ok := lastCount(w); ok {
		return n, true
	}
	// After: 出社は月に1回, 出社頻度: 週1回, 出社日数 週2日.
	j := end
	for _, x := range [...]string{"頻度", "日数", "回数", "の頻度", "は", ":", " ", "は", "基本", "原則"} {
		if strings.HasPrefix(s[j:], x) {
			j += len(x)
		}
	}
	j = skipSpaces(s, j)
	if n, ok := countAt(s, j); ok {
		return n, true
	}
	return 0, false
}

// lastBreak returns where the clause holding the end of w begins (after
// the last 、 。 , or line break), or -1.
func lastBreak(w string) int {
	k := -1
	for _, b := range [...]string{"、", "。", ",", "\n", "※"} {
		if x := strings.LastIndex(w, b); x >= 0 && x+len(b) > k {
			k = x + len(b)
		}
	}
	return k
}

// lastCount finds the last 週N or 月N (週1, 月1~2, 週に2, 月数) in w.
func lastCount(w string) (int, bool) {
	for k := len(w); k > 0; {
		a := strings.LastIndex(w[:k], "週")
		b := strings.LastIndex(w[:k], "月")
		at := max(a, b)
		if at < 0 {
			return 0, false
		}
		if at == a && strings.HasSuffix(w[:at], "毎") {
			k = at
			continue
		}
		if n, ok := countAt(w, at); ok {
			if rest := w[at:]; strings.Contains(rest, "稼働") || strings.Contains(rest, "勤務") || strings.Contains(rest, "参画") {
				return 0, false // 週3日稼働の出社: work days, not office days
			}
			return n, true
		}
		k = at
	}
	return 0, false
}

// countAt reads 週N, 週にN, 週数回, 月N, 月数回 at s[i]: days a week, or 0
// for a month's count.
func countAt(s string, i int) (int, bool) {
	var week bool
	switch {
	case strings.HasPrefix(s[i:], "週"):
		week = true
		i += len("週")
	case strings.HasPrefix(s[i:], "月"):
		i += len("月")
	default:
		return 0, false
	}
	i = skipSpaces(s, i)
	for _, x := range [...]string{"に", "あたり", "当たり"} {
		if strings.HasPrefix(s[i:], x) {
			i = skipSpaces(s, i+len(x))
		}
	}
	n := 0
	switch {
	case i < len(s) && isDigit(s[i]):
		n = int(s[i] - '0')
		if i+1 < len(s) && isDigit(s[i+1]) {
			return 0, false // 月10日, 週20時間: not a count of office days
		}
	case strings.HasPrefix(s[i:], "数"), strings.HasPrefix(s[i:], "何"):
		n = 1
	default:
		return 0, false
	}
	if !week {
		return 0, true
	}
	return n, true
}

// startPeriod reports whether the office or onsite work at [i, end) is
// for a period at the start (初月のみ出社, 参画後1ヶ月は常駐, 慣れるまでは出社,
// 出社は最初の2週間): the engineer must live near the office for weeks, so
// the listing is partial even when called フルリモート. A day (初日,
// 初回のみ) is occasional instead.
func startPeriod(s string, i, end int) bool {
	w := s[runeStart(s, max(0, i-48)):i]
	if k := lastBreak(w); k >= 0 {
		w = w[k:]
	}
	a := s[end:runeStart(s, min(len(s), end+30))]
	if k := strings.Index(a, "、"); k >= 0 {
		a = a[:k]
	}
	w += a
	for _, x := range [...]string{"初日", "初回", "1日のみ", "1日だけ", "入場日", "入場時", "キックオフ", "顔合わせ"} {
		if strings.Contains(w, x) {
			return false
		}
	}
	for _, x := range [...]string{"初月", "初週", "最初の", "最初は", "当初", "入場後", "入場から", "参画後", "参画から", "立ち上がり", "立上り",
		"慣れるまで", "研修期間", "試用期間", "オンボーディング", "ヶ月目", "か月目"} {
		if strings.Contains(w, x) {
			return true
		}
	}
	return false
}

// occasionalOffice reports whether 出社 at i is only now and then: 初日のみ,
// 必要に応じて, 稀に.
func occasionalOffice(s string, i int) bool {
	w := s[max(0, i-24):i]
	for _, x := range [...]string{"初日", "初回", "必要に応じ", "必要時", "たまに", "適宜", "稀に", "まれに", "キックオフ", "入場時", "年に", "年数回"} {
		if strings.Contains(w, x) {
			return true
		}
	}
	return false
}

// readRole reads the role from role words among hits. Job titles
// (バックエンドエンジニア) win over subject words (バックエンド, read only in
// a title or the role field); among subject words a manager's (PM, PMO,
// ディレクター) wins, for it heads the title (インフラPM, PM（インフラ更改）).
// A title naming both front end and back end is fullstack. A title with no
// role word but a lead word (テックリード) or a skill right before エンジニア
// (Goエンジニア) takes the role of its skills (roleBySkill).
func readRole(hits []hit, field bool) (listing.Role, bool) {
	var strong, weak []listing.Role
	lead := false
	means(hits, kRole, field, func(h hit, m meaning) {
		switch {
		case m.val == "lead":
			lead = true
		case m.val == "engineer":
		case m.strict:
			weak = append(weak, listing.Role(m.val))
		default:
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
		for _, r := range weak {
			if r == listing.RolePM {
				return r, true
			}
		}
		return weak[0], true
	}
	if field {
		return roleBySkill(hits, lead)
	}
	return "", false
}

// roleBySkill reads the role of a title from its skills: any skill when
// it has a lead word (テックリード（Go）), else only the skills right before
// エンジニア (Goエンジニア, AWS エンジニア, Go/AWSエンジニア). Front end and
// back end skills together make it fullstack; else the first skill with a
// role wins.
func roleBySkill(hits []hit, lead bool) (listing.Role, bool) {
	var first listing.Role
	var front, back bool
	named := lead // the skill at i is named with the title's role
	for i, h := range hits {
		if !lead {
			// A skill, or a run of them joined by / or ・, right before エンジニア.
			named = false
			for k := i; k+1 < len(hits) && hits[k+1].start-hits[k].end <= len("・"); k++ {
				if engineerWord(hits[k+1]) {
					named = true
					break
				}
			}
		}
		if !named {
			continue
		}
		for _, m := range h.t.means {
			if m.kind != kSkill {
				continue
			}
			r := listing.Role(lexicon.skillRoles[m.val])
			if r == "" {
				continue
			}
			if first == "" {
				first = r
			}
			front = front || r == listing.RoleFrontend
			back = back || r == listing.RoleBackend
		}
	}
	if front && back {
		return listing.RoleFullstack, true
	}
	return first, first != ""
}

// engineerWord reports whether h is エンジニア or engineer.
func engineerWord(h hit) bool {
	for _, m := range h.t.means {
		if m.kind == kRole && m.val == "engineer" {
			return true
		}
	}
	return false
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
