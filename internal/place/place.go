// Package place is the place data listings are located with: the 47
// prefectures with their short names and aliases (都内), cities and wards
// (渋谷区, 横浜市, 大阪市北区) and the busiest railway stations (渋谷駅),
// each mapped to an ISO 3166-2:JP prefecture code. The data lives in TSV
// files so it can be reviewed without reading code.
package place

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Kind is what a place name names.
type Kind string

const (
	Prefecture Kind = "prefecture" // 東京都, or its short name 東京
	Area       Kind = "area"       // another name of a prefecture or its capital: 都内, 名古屋
	City       Kind = "city"       // 横浜市, 渋谷区, 丸の内
	Station    Kind = "station"    // 渋谷 (written 渋谷駅)
)

// Place is one place name.
type Place struct {
	Name string // as written; a station without 駅
	Code string // ISO 3166-2:JP, e.g. JP-13
	Kind Kind
	// Bare says the name alone is safe to read in free text. When false it
	// is also a common surname or word (千葉, 上野): read it in free text only
	// with 駅 (stations), and alone only in a location field.
	Bare bool
}

var (
	//go:embed prefectures.tsv
	prefData string
	//go:embed cities.tsv
	cityData string
	//go:embed stations.tsv
	stationData string
)

var (
	all    []Place
	byName = map[string]int{}
)

func init() {
	var err error
	all, err = load(prefData, cityData, stationData)
	if err != nil {
		panic(err) // the embedded files are checked by tests
	}
	for i, p := range all {
		if _, dup := byName[p.Name]; !dup {
			byName[p.Name] = i
		}
	}
}

// load reads the three files and checks that a name found in more than
// one of them always names the same prefecture.
func load(prefs, cities, stations string) ([]Place, error) {
	var out []Place
	codes := map[string]string{}
	add := func(file string, line int, p Place) error {
		if !validCode(p.Code) {
			return fmt.Errorf("%s:%d: %q is not a code JP-01 … JP-47", file, line, p.Code)
		}
		if p.Name == "" || strings.ContainsAny(p.Name, " \t") {
			return fmt.Errorf("%s:%d: bad name %q", file, line, p.Name)
		}
		if c, ok := codes[p.Name]; ok && c != p.Code {
			return fmt.Errorf("%s:%d: %q is %s here but %s elsewhere", file, line, p.Name, p.Code, c)
		}
		codes[p.Name] = p.Code
		out = append(out, p)
		return nil
	}
	err := rows("prefectures.tsv", prefs, 4, 5, func(line int, f []string) error {
		bare, err := yesNo(f[3])
		if err != nil {
			return fmt.Errorf("prefectures.tsv:%d: %w", line, err)
		}
		if err := add("prefectures.tsv", line, Place{Name: f[1], Code: f[0], Kind: Prefecture, Bare: true}); err != nil {
			return err
		}
		if err := add("prefectures.tsv", line, Place{Name: f[2], Code: f[0], Kind: Prefecture, Bare: bare}); err != nil {
			return err
		}
		if len(f) == 5 && f[4] != "" {
			for _, a := range strings.Split(f[4], "|") {
				if err := add("prefectures.tsv", line, Place{Name: a, Code: f[0], Kind: Area, Bare: true}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = rows("cities.tsv", cities, 2, 2, func(line int, f []string) error {
		return add("cities.tsv", line, Place{Name: f[0], Code: f[1], Kind: City, Bare: true})
	})
	if err != nil {
		return nil, err
	}
	err = rows("stations.tsv", stations, 3, 3, func(line int, f []string) error {
		bare, err := yesNo(f[2])
		if err != nil {
			return fmt.Errorf("stations.tsv:%d: %w", line, err)
		}
		if strings.HasSuffix(f[0], "駅") {
			return fmt.Errorf("stations.tsv:%d: write %q without 駅", line, f[0])
		}
		return add("stations.tsv", line, Place{Name: f[0], Code: f[1], Kind: Station,
			Bare: bare && utf8.RuneCountInString(f[0]) > 1})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rows calls fn with the fields of every line that is not blank or a
// comment, checking it has between lo and hi fields.
func rows(file, text string, lo, hi int, fn func(line int, f []string) error) error {
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < lo || len(f) > hi {
			return fmt.Errorf("%s:%d: want %d to %d tab-separated fields, got %d", file, n+1, lo, hi, len(f))
		}
		if err := fn(n+1, f); err != nil {
			return err
		}
	}
	return nil
}

func yesNo(s string) (bool, error) {
	switch s {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("want yes or no, got %q", s)
}

func validCode(c string) bool {
	if len(c) != 5 || c[:3] != "JP-" || c[3] < '0' || c[3] > '4' || c[4] < '0' || c[4] > '9' {
		return false
	}
	n := int(c[3]-'0')*10 + int(c[4]-'0')
	return n >= 1 && n <= 47
}

// All returns every place name in file order: prefectures (full name,
// short name, aliases), cities, stations. The caller must not modify it.
func All() []Place { return all }

// Lookup finds the place named exactly name; a trailing 駅 is read as a
// station.
func Lookup(name string) (Place, bool) {
	name = strings.TrimSpace(name)
	if i, ok := byName[name]; ok {
		return all[i], true
	}
	if s, ok := strings.CutSuffix(name, "駅"); ok {
		if i, ok := byName[s]; ok && all[i].Kind == Station {
			return all[i], true
		}
		for _, p := range all {
			if p.Kind == Station && p.Name == s {
				return p, true
			}
		}
	}
	return Place{}, false
}
