package normalize

import (
	"math/rand/v2"
	"strings"
	"testing"

	"anken/internal/listing"
)

// Pools of realistic agency phrasing the benchmark listings are made of.
var (
	benchTitles = []string{
		"【Go/AWS】決済基盤のバックエンド開発（フルリモート）", "【React/TypeScript】toC向けSaaSのフロントエンド開発",
		"【週3日〜/副業OK】Python×データ分析基盤の構築支援", "大手SIerでのJava（Spring Boot）による基幹システム刷新",
		"【Ruby on Rails】HRTechサービスの新規機能開発", "【SRE】急成長スタートアップのインフラ改善（k8s/Terraform）",
		"【PMO】金融系大規模プロジェクトの進捗管理支援", "【Flutter】ヘルスケアアプリのモバイルエンジニア募集",
		"【PHP/Laravel】ECサイトの保守・追加開発（渋谷）", "【機械学習】需要予測モデルの開発・運用（リモート併用）",
		"【QA】Webサービスのテスト設計・自動化推進", "【UI/UX】BtoB SaaSのプロダクトデザイナー",
	}
	benchIntro = []string{
		"急成長中のSaaS企業にて、既存サービスのリプレイスと新規機能の開発をお任せします。",
		"大手通信会社向けの顧客管理システムの刷新プロジェクトです。要件定義から参画いただきます。",
		"月間利用者300万人を超えるtoCサービスの開発チームに参画いただきます。売上高は前年比150%で推移しています。",
		"従業員数120名のベンチャー企業で、プロダクトの品質と開発速度の両立を目指しています。",
		"事業会社の内製化支援として、開発プロセスの改善とチームの立ち上げを行っていただきます。",
	}
	benchWork = []string{
		"【業務内容】\n・Go言語を用いたAPIの設計、開発、テスト\n・AWS（ECS/Fargate、RDS、S3）上でのインフラ構築\n・コードレビュー、技術選定への関与",
		"【業務内容】\n・React、TypeScriptによる画面開発\n・Next.jsを用いたSSR対応\n・Storybookを用いたUIコンポーネントの整備",
		"【業務内容】\n・Pythonを用いたETL処理の開発（Airflow、BigQuery）\n・dbtによるデータモデリング\n・Tableauでのダッシュボード作成支援",
		"【業務内容】\n・Java（Spring Boot）による業務アプリケーションの詳細設計、実装\n・Oracleからの移行作業\n・結合テスト",
		"【業務内容】\n・Kubernetes（EKS）クラスタの運用改善\n・Terraformによる構成管理\n・Datadogを用いた監視設計、障害対応",
		"【業務内容】\n・Flutter、Dartによるスマホアプリ開発\n・Firebaseを利用したバックエンド連携\n・iOS/Androidのストア申請対応",
	}
	benchMust = []string{
		"【必須スキル】\n・Go言語での開発経験3年以上\n・RDBMS（MySQL、PostgreSQL）を用いた開発経験\n・Gitを用いたチーム開発経験",
		"【必須スキル】\n・TypeScriptでの実務経験2年以上\n・Vue.jsまたはReactでのSPA開発経験",
		"【必須スキル】\n・Python（pandas、scikit-learn）を用いた分析経験\n・SQLでのデータ抽出経験",
		"【必須スキル】\n・Javaでの開発経験5年以上\n・要件定義、基本設計のご経験",
		"【必須スキル】\n・AWSまたはGCPでのインフラ構築経験\n・Linuxサーバーの運用経験\n・CI/CDパイプラインの構築経験（GitHub Actions等）",
	}
	benchWant = []string{
		"【歓迎スキル】\n・gRPC、マイクロサービスの知見\n・DDDに基づく設計経験",
		"【歓迎スキル】\n・Docker、k8sの利用経験\n・スクラム開発の経験",
		"【歓迎スキル】\n・機械学習モデルの運用経験（MLflow等）\n・生成AI/LLMを活用した開発経験",
		"【歓迎スキル】\n・チームリーダーのご経験\n・C#/.NETでの開発経験",
	}
	benchTerms = []string{
		"【単価】月額60万〜70万円（スキル見合い）\n【精算幅】140〜180h\n【稼働】週5日\n【勤務地】東京都渋谷区（渋谷駅徒歩5分）\n【リモート】一部リモート（週2出社）\n【契約形態】準委任\n【開始時期】即日〜",
		"【単価】〜80万円/月\n【稼働日数】週3〜5日\n【勤務地】フルリモート\n【契約】業務委託\n【開始】2026年1月〜",
		"【報酬】時給4,000円〜\n【稼働】週2日〜、平日夜・土日のみも可（副業OK）\n【作業場所】完全在宅\n【開始】来月から",
		"【単価】単価: 700,000円\n【稼働】週5日常駐\n【勤務地】大阪市北区（梅田駅徒歩7分）\n【契約形態】業務委託（請負）\n【開始】2026年4月開始予定",
		"【単価】65万円〜85万円\n【稼働】週4-5日\n【場所】品川駅直結、リモート併用\n【契約】準委任\n※参画お祝い金10万円",
	}
	benchPoints = []string{
		"【おすすめポイント】\n・技術選定から関われる裁量の大きい環境です\n・コードレビュー文化が根付いており、品質を重視しています\n・長期での参画を想定しており、安定して稼働いただけます",
		"【おすすめポイント】\n・エンド直案件のため、要件の背景から理解して開発できます\n・モダンな技術スタックで、開発環境も整っています\n・子育て中の方も活躍中で、稼働時間の相談が可能です",
		"【おすすめポイント】\n・大規模トラフィックを支える設計を経験できます\n・社内勉強会や書籍購入の補助があります\n・チームは10名体制で、ドキュメントが整備されています",
	}
	benchOther = []string{
		"【その他】\n・面談1回（オンライン）\n・商流：エンド直\n・服装自由、PC貸与あり\n・外国籍の方は日本語ビジネスレベル必須",
		"【その他】\n・面談2回（うち1回は現場責任者）\n・複数名募集しております\n・年齢不問、40代・50代の方も活躍中",
		"【その他】\n・面談はWebで実施します\n・Mac貸与\n・Slack、Notion、GitHubを利用したコミュニケーションが中心です",
	}
	benchEnv = []string{
		"【開発環境】\n言語：Go 1.22、TypeScript\nインフラ：AWS（ECS、Aurora MySQL）\nツール：GitHub、Jira、Slack、Figma",
		"【開発環境】\n言語：Java 17、Kotlin\nDB：PostgreSQL、Redis\nCI/CD：GitHub Actions、ArgoCD",
		"【開発環境】\n言語：Python 3.11\n基盤：GCP（BigQuery、Cloud Run）\nツール：Notion、Backlog、Datadog",
	}
	benchRates    = []string{"", "", "月額60万〜70万円", "〜80万円/月", "時給4,000円〜", "単価: 700,000円", "スキル見合い", "60-70万"}
	benchRemotes  = []string{"", "", "フルリモート", "一部リモート", "常駐", "リモート併用（週1出社）"}
	benchDays     = []string{"", "", "週5日", "週2〜3日", "週3日から相談可", "週4-5"}
	benchLocs     = []string{"", "", "東京都渋谷区", "渋谷駅徒歩5分", "大阪市北区", "横浜市西区みなとみらい", "フルリモート"}
	benchSkills   = []string{"", "", "Go, AWS, Docker", "React/TypeScript/Next.js", "Java（Spring Boot）、Oracle", "Python, BigQuery"}
	benchContract = []string{"", "", "業務委託", "準委任", "請負"}
	benchStart    = []string{"", "", "即日〜", "2026年1月〜", "来月から"}
)

// benchListings makes n realistic raw listings, the same ones every time:
// titles of about 30 characters, descriptions of about 575 in Japanese,
// and a mix of empty, free-text and structured optional fields.
func benchListings(n int) []listing.Raw {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	text := func(xs []string) listing.Value {
		if s := pick(xs); s != "" {
			return listing.TextValue(s)
		}
		return listing.Value{}
	}
	out := make([]listing.Raw, n)
	for i := range out {
		desc := strings.Join([]string{pick(benchIntro) + pick(benchIntro), pick(benchWork), pick(benchMust), pick(benchWant),
			pick(benchEnv), pick(benchPoints), pick(benchTerms), pick(benchOther)}, "\n\n")
		r := listing.Raw{
			ExternalID: "bench-" + string(rune('a'+i%26)), Title: pick(benchTitles), Description: desc,
			Rate: text(benchRates), Remote: text(benchRemotes), Days: text(benchDays), Location: text(benchLocs),
			Skills: text(benchSkills), Contract: text(benchContract), Start: text(benchStart),
			PostedAt: "2025-11-01T09:00:00+09:00", ApplyURL: "https://agency.example.com/jobs/1",
		}
		if rng.IntN(4) == 0 {
			r.Rate, _ = listing.JSONValue(map[string]any{"unit": "month", "min": 600000, "max": 800000})
			r.Skills, _ = listing.JSONValue([]string{"Go", "AWS", "Kubernetes"})
			r.SideJob, _ = listing.JSONValue(rng.IntN(2) == 0)
		}
		out[i] = r
	}
	return out
}

// BenchmarkNormalize normalizes realistic raw listings. Run it with
// -cpu=1 and record the figures in docs/BENCHMARKS.md.
func BenchmarkNormalize(b *testing.B) {
	raws := benchListings(512)
	var chars int
	for _, r := range raws {
		chars += len([]rune(r.Description))
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		NormalizeAt(raws[i%len(raws)], corpusNow)
	}
	// listings/s is wall time, which other work on the machine inflates;
	// listings/cpu-s counts only the CPU time this process used (GC
	// included), the figure per core to compare with the target.
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
	if cpu = cpuTime() - cpu; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "listings/cpu-s")
	}
	b.ReportMetric(float64(chars)/float64(len(raws)), "desc-chars")
}

func BenchmarkFold(b *testing.B) {
	raws := benchListings(64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		fold(raws[i%len(raws)].Description)
	}
}

func BenchmarkScan(b *testing.B) {
	raws := benchListings(64)
	texts := make([]string, len(raws))
	for i, r := range raws {
		texts[i] = fold(r.Title + "\n" + r.Description)
	}
	buf := make([]hit, 0, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = lexicon.scan(texts[i%len(texts)], false, buf[:0])
	}
}

func BenchmarkParseRate(b *testing.B) {
	raws := benchListings(64)
	texts := make([]string, len(raws))
	hits := make([][]hit, len(raws))
	for i, r := range raws {
		texts[i] = fold(r.Title + "\n" + r.Description)
		hits[i] = lexicon.scan(texts[i], false, nil)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		parseRate(texts[i%len(texts)], hits[i%len(hits)], false)
	}
}
