package normalize

import (
	"strconv"
	"strings"
	"testing"

	"anken/internal/listing"
)

// showExperience writes requirements as the tables do: "go:2 3" is Go for
// two years and three years in general; "-" is none.
func showExperience(exp []listing.Experience) string {
	if len(exp) == 0 {
		return "-"
	}
	parts := make([]string, len(exp))
	for i, e := range exp {
		parts[i] = strconv.Itoa(e.Years)
		if e.Skill != "" {
			parts[i] = e.Skill + ":" + parts[i]
		}
	}
	return strings.Join(parts, " ")
}

// experienceCases are phrasings of listings (必須スキル lines, titles,
// sentences) with the requirements they state.
var experienceCases = []struct{ text, want string }{
	// Tied to a skill.
	{"Go経験2年以上", "go:2"},
	{"・Javaでの開発経験3年以上", "java:3"},
	{"AWS実務経験1年以上", "aws:1"},
	{"・Goでの開発経験2年以上\n・RDBを用いたWebアプリ開発経験", "go:2"},
	{"必須：Java開発経験5年以上、Oracle、SQL", "java:5"},
	{"・Pythonを用いた開発経験（3年以上）", "python:3"},
	{"・Go言語での実務経験：3年以上", "go:3"},
	{"・PHPでのWebアプリケーション開発経験3年以上", "php:3"},
	{"・React実務経験2年〜", "react:2"},
	{"・React実務経験2年～", "react:2"},
	{"・TypeScriptでの実務経験２年以上", "typescript:2"},
	{"・Ｊａｖａ開発経験３年以上", "java:3"},
	{"・3年以上のJava開発経験", "java:3"},
	{"・Python 3年以上の実務経験", "python:3"},
	{"・Rubyでの開発経験が3年以上ある方", "ruby:3"},
	{"・Kotlin経験者（2年以上）", "kotlin:2"},
	{"・Java実務3年以上", "java:3"},
	{"・Java、Pythonでの開発経験3年以上", "java:3 python:3"},
	{"・Go/TypeScriptを用いた開発経験2年以上", "go:2 typescript:2"},
	{"・Go経験3年以上、AWS経験1年以上", "go:3 aws:1"},
	{"・Go経験3年以上・AWS経験1年以上", "go:3 aws:1"},
	{"・Go経験3〜5年", "go:3"},
	{"・Go経験三年以上", "go:3"},
	{"・Swiftでの開発経験3年間以上", "swift:3"},
	{"【Go経験3年以上】決済基盤のバックエンド開発", "go:3"},
	{"・Go経験2年以上\n・Go経験4年以上", "go:4"},
	{"・C#での開発経験 3年以上", "csharp:3"},
	{"・Reactを用いたフロントエンド開発の実務経験3年以上（TypeScript尚可）", "react:3"},
	// In general.
	{"実務経験3年以上", "3"},
	{"エンジニア経験5年以上", "5"},
	{"開発経験2年〜", "2"},
	{"・Webサービスのバックエンド開発経験3年以上", "3"},
	{"・エンジニアとしての実務経験3年以上", "3"},
	{"3年以上の実務経験", "3"},
	{"2020年設立、社員数50名の企業です。3年以上の経験が必要です。", "3"},
	{"経験年数：3年以上", "3"},
	{"経験年数は5年以上", "5"},
	{"・システム開発経験10年以上", "10"},
	{"・実務経験3年以上\n・エンジニア経験5年以上", "5"},
	{"・Java、Pythonいずれかの実務経験3年以上", "3"},
	{"・iOSまたはAndroidアプリの開発経験2年以上", "2"},
	{"・Javaなどでの開発経験3年以上", "3"},
	{"・PMまたはPMOとしての実務経験3年以上", "3"},
	{"・機械学習モデルの開発経験2年以上", "machine-learning:2"},
	{"・Go経験2年以上\n・実務経験5年以上", "go:2 5"},
	{"当社はAWSを活用しており、エンジニア経験5年以上の方を募集しています。", "5"},
	// Not a requirement of years.
	{"・Goでの開発経験", "-"},
	{"3年後にはリーダーを目指していただきます。開発経験が活かせます。", "-"},
	{"2026年1月〜、開発経験をお持ちの方", "-"},
	{"想定年収900万円〜、実務経験を活かせます", "-"},
	{"創業10年の開発経験豊富な企業です", "-"},
	{"10年の歴史と豊富な開発経験を持つチーム", "-"},
	{"創業10年、開発経験豊富なメンバーが在籍", "-"},
	{"当社は10年にわたり開発経験を積んだ会社です", "-"},
	{"・Java3年以上経験者", "java:3"},
	{"・3年以上実務経験のある方", "3"},
	{"30歳以下の方、開発経験者", "-"},
	{"20代〜30代が活躍中。未経験3年以上OK", "-"},
	{"経験3年未満の方も歓迎", "-"},
	{"経験3年目の方", "-"},
	{"経験〜3年の方", "-"},
	{"実務経験50年以上", "-"},
	{"実務経験0年", "-"},
	{"実務経験1年半以上", "-"},
	{"経験年数不問", "-"},
	{"単価：スキル・経験により応相談", "-"},
	{"【歓迎スキル】\n・Go経験3年以上\n・Kubernetesの利用経験", "-"},
	{"■尚可\n・AWS実務経験1年以上", "-"},
	{"【必須スキル】\n・Java開発経験3年以上\n\n【歓迎スキル】\n・Go経験2年以上", "java:3"},
	{"尚可：Go経験3年以上", "-"},
	{"・Go経験3年以上あれば尚可", "-"},
	{"・Go経験3年以上の方歓迎", "-"},
	{"歓迎スキル：AWS経験2年以上", "-"},
	{"・AWS経験1年以上あれば尚可、Go経験3年以上", "go:3"},
	{"経験2026年", "-"},
	{"経験3年後", "-"},
}

func TestParseExperience(t *testing.T) {
	for _, c := range experienceCases {
		if got := showExperience(ParseExperience(c.text)); got != c.want {
			t.Errorf("ParseExperience(%q) = %s, want %s", c.text, got, c.want)
		}
	}
}

// TestExperienceInListing reads requirements from a listing's title and
// description, and from the agency's own field: text, years or a list.
func TestExperienceInListing(t *testing.T) {
	tests := []struct {
		name     string
		raw      listing.Raw
		want     string
		source   Source
		warnings int
	}{
		{"description", listing.Raw{Title: "Goバックエンド", Description: "【必須スキル】\n・Goでの開発経験2年以上\n・実務経験3年以上\n【歓迎スキル】\n・AWS実務経験1年以上"},
			"go:2 3", Inferred, 0},
		{"title and description", listing.Raw{Title: "【Java経験5年以上】基幹システム刷新", Description: "詳細設計から担当"}, "java:5", Inferred, 0},
		{"none", listing.Raw{Title: "Goバックエンド", Description: "創業10年。3年後にはリーダーに。"}, "-", "", 0},
		{"field text", listing.Raw{Title: "案件", Experience: listing.TextValue("Go経験2年以上、実務経験3年以上")}, "go:2 3", Parsed, 0},
		{"field list without 経験", listing.Raw{Title: "案件", Experience: listing.TextValue("Go 2年以上、AWS 1年")}, "go:2 aws:1", Parsed, 0},
		{"field list of two skills", listing.Raw{Title: "案件", Experience: listing.TextValue("Go/AWS 3年以上")}, "go:3 aws:3", Parsed, 0},
		{"field years alone", listing.Raw{Title: "案件", Experience: listing.TextValue("3年以上")}, "3", Parsed, 0},
		{"field unreadable", listing.Raw{Title: "案件", Experience: listing.TextValue("豊富な方")}, "-", "", 1},
		{"field number", listing.Raw{Title: "案件", Experience: mustValue(3)}, "3", Given, 0},
		{"field number out of range", listing.Raw{Title: "案件", Experience: mustValue(40)}, "-", "", 1},
		{"field structured", listing.Raw{Title: "案件", Experience: mustValue([]map[string]any{{"skill": "Golang", "years": 2}, {"years": 3}})}, "go:2 3", Given, 0},
		{"field structured unknown skill", listing.Raw{Title: "案件", Experience: mustValue([]map[string]any{{"skill": "Zzz言語", "years": 2}, {"skill": "aws", "years": 31}, {"skill": "aws", "years": 1}})},
			"aws:1", Given, 2},
		{"field beats text", listing.Raw{Title: "Go経験5年以上", Experience: mustValue([]map[string]any{{"skill": "go", "years": 2}})}, "go:2", Given, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw.ExternalID = "x"
			res := NormalizeAt(tt.raw, corpusNow)
			if got := showExperience(res.Experience); got != tt.want {
				t.Errorf("experience = %s, want %s", got, tt.want)
			}
			if got := res.Sources["experience"]; got != tt.source {
				t.Errorf("source = %q, want %q", got, tt.source)
			}
			if len(res.Warnings) != tt.warnings {
				t.Errorf("warnings = %+v, want %d", res.Warnings, tt.warnings)
			}
			if err := res.Listing.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if tt.raw.Experience.IsZero() {
				if got := showExperience(ListingExperience(tt.raw.Title, tt.raw.Description)); got != tt.want {
					t.Errorf("ListingExperience = %s, want %s as Normalize reads it", got, tt.want)
				}
			}
		})
	}
}

func mustValue(v any) listing.Value {
	x, err := listing.JSONValue(v)
	if err != nil {
		panic(err)
	}
	return x
}
