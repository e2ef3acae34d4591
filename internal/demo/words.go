package demo

import "anken/internal/listing"

// Word pools. Text that names a fact the normalizer reads (role, remote,
// days, rate, place, contract, side job) only appears where that fact is
// stated, so a listing never says two things at once: backend text does not
// mention フロントエンド, full-remote text never says 出社, and 週N日 is only
// ever the number of working days.

// roleWords is how listings of one role speak about the work.
type roleWords struct {
	role    listing.Role
	weight  int
	dev     bool     // writes code: titles may read "Go×AWSでの…開発"
	names   []string // job titles, e.g. バックエンドエンジニア
	works   []string // what the job does, e.g. API開発
	tasks   []string // 業務内容 bullets
	must    []string // 必須 items that are not skills
	want    []string // 歓迎 items that are not skills
	stacks  []stack
	monthly int // centre of the monthly rate, in 万円
	hourly  int // centre of the hourly rate, in 円
}

// stack is a coherent set of skills: all of core, and a few of extra.
type stack struct {
	weight int
	core   []string
	extra  []string
}

// roles holds every role with its share of listings (weights sum to 200).
var roles = []roleWords{
	{
		role: listing.RoleBackend, dev: true, weight: 54, monthly: 63, hourly: 5000,
		names: []string{"バックエンドエンジニア", "バックエンドエンジニア", "サーバーサイドエンジニア"},
		works: []string{"バックエンド開発", "API開発", "サーバーサイド開発", "API設計・開発", "バックエンドの改修"},
		tasks: []string{
			"API設計・実装", "バッチ処理の開発", "DB設計・パフォーマンスチューニング", "既存機能の改修・保守",
			"新規機能の設計・開発", "テストコード作成", "コードレビュー", "外部サービスとのAPI連携",
			"マイクロサービス化に向けたリファクタリング", "運用保守・障害対応", "詳細設計書の作成", "非同期処理基盤の開発",
		},
		must: []string{"Webサービスのバックエンド開発経験3年以上", "RDBを用いたテーブル設計の経験", "Gitを用いたチーム開発経験", "API設計・開発の経験"},
		want: []string{"大規模トラフィックを扱った経験", "マイクロサービスの設計経験", "テックリード経験", "OSSへのコントリビュート経験"},
		stacks: []stack{
			{14, []string{"go"}, []string{"aws", "gcp", "docker", "kubernetes", "mysql", "postgresql", "terraform", "gin", "echo", "grpc", "redis"}},
			{14, []string{"java", "spring"}, []string{"aws", "oracle", "mysql", "postgresql", "docker", "mybatis", "linux"}},
			{10, []string{"php", "laravel"}, []string{"mysql", "aws", "docker", "redis"}},
			{2, []string{"php", "cakephp"}, []string{"mysql", "aws"}},
			{9, []string{"ruby", "rails"}, []string{"mysql", "postgresql", "aws", "docker", "rspec", "redis"}},
			{4, []string{"python", "django"}, []string{"aws", "postgresql", "docker"}},
			{4, []string{"python", "fastapi"}, []string{"aws", "gcp", "postgresql", "docker"}},
			{6, []string{"typescript", "nodejs"}, []string{"aws", "postgresql", "mysql", "docker", "nestjs", "dynamodb", "lambda"}},
			{4, []string{"kotlin", "spring"}, []string{"aws", "mysql", "postgresql"}},
			{2, []string{"scala"}, []string{"aws", "mysql", "docker"}},
			{4, []string{"csharp"}, []string{"azure", "sqlserver", "aspnet"}},
			{2, []string{"rust"}, []string{"aws", "kubernetes", "docker"}},
			{3, []string{"java"}, []string{"oracle", "mysql", "linux"}},
		},
	},
	{
		role: listing.RoleFrontend, dev: true, weight: 30, monthly: 60, hourly: 4500,
		names: []string{"フロントエンドエンジニア", "Webフロントエンドエンジニア"},
		works: []string{"フロントエンド開発", "管理画面開発", "フロントエンド刷新", "画面開発"},
		tasks: []string{
			"画面設計・実装", "コンポーネント設計", "既存画面のリプレイス", "API連携部分の実装",
			"パフォーマンス改善", "アクセシビリティ対応", "テストコード作成", "UIの改善提案",
			"状態管理の設計見直し", "デザインシステムの整備",
		},
		must: []string{"フロントエンド開発の実務経験3年以上", "SPAの開発経験", "HTML/CSSでのマークアップ経験"},
		want: []string{"SSRを用いたサービス開発経験", "パフォーマンスチューニングの経験", "UI/UXへの関心"},
		stacks: []stack{
			{16, []string{"typescript", "react"}, []string{"nextjs", "figma", "redux", "tailwindcss", "jest", "storybook"}},
			{8, []string{"typescript", "vue"}, []string{"nuxtjs", "figma", "sass"}},
			{6, []string{"typescript", "nextjs", "react"}, []string{"aws", "figma", "tailwindcss", "vercel"}},
			{4, []string{"javascript", "vue"}, []string{"php", "jquery"}},
			{3, []string{"javascript", "react"}, []string{"figma", "html", "css"}},
			{2, []string{"typescript", "angular"}, []string{"rxjs"}},
		},
	},
	{
		role: listing.RoleInfra, weight: 24, monthly: 64, hourly: 5000,
		names: []string{"インフラエンジニア", "インフラエンジニア", "クラウドエンジニア"},
		works: []string{"インフラ構築", "クラウド基盤構築", "インフラ設計・構築", "クラウド移行"},
		tasks: []string{
			"クラウド環境の設計・構築", "IaCによる構成管理", "監視設計・運用", "オンプレミスからのクラウド移行",
			"ネットワーク設計", "CI/CDパイプラインの整備", "運用手順書の作成", "コスト最適化",
			"障害対応・運用改善", "コンテナ基盤の構築",
		},
		must: []string{"クラウド環境の設計・構築経験2年以上", "Linuxサーバーの構築・運用経験", "ネットワークの基礎知識"},
		want: []string{"大規模システムの運用経験", "AWS認定資格", "シェルスクリプトでの自動化経験"},
		stacks: []stack{
			{14, []string{"aws"}, []string{"terraform", "docker", "kubernetes", "linux", "ansible", "ecs", "cloudformation"}},
			{5, []string{"gcp"}, []string{"terraform", "kubernetes", "docker", "gke"}},
			{5, []string{"azure"}, []string{"terraform", "docker", "windows-server"}},
			{4, []string{"aws", "terraform"}, []string{"python", "docker", "github-actions"}},
			{3, []string{"linux"}, []string{"aws", "zabbix", "ansible"}},
		},
	},
	{
		role: listing.RoleFullstack, dev: true, weight: 18, monthly: 66, hourly: 5000,
		names: []string{"フルスタックエンジニア"},
		works: []string{"フルスタック開発", "新規サービス立ち上げ", "プロダクト開発全般"},
		tasks: []string{
			"画面からAPIまでの一貫した開発", "新規機能の企画・設計・実装", "技術選定", "クラウド環境の構築",
			"コードレビュー", "開発プロセスの改善", "プロダクトの仕様検討",
		},
		must: []string{"Webサービスを一人で開発・運用した経験", "Webサービス開発の実務経験3年以上"},
		want: []string{"スタートアップでの開発経験", "プロダクトマネジメントへの関心"},
		stacks: []stack{
			{8, []string{"typescript", "react", "nodejs"}, []string{"nextjs", "aws", "postgresql"}},
			{6, []string{"ruby", "rails", "vue"}, []string{"aws", "mysql"}},
			{5, []string{"php", "laravel", "vue"}, []string{"mysql", "aws"}},
			{4, []string{"go", "react", "typescript"}, []string{"gcp", "aws", "postgresql"}},
			{3, []string{"python", "django", "react"}, []string{"aws", "postgresql"}},
		},
	},
	{
		role: listing.RoleMobile, dev: true, weight: 16, monthly: 64, hourly: 5000,
		names: []string{"iOSエンジニア", "Androidエンジニア", "モバイルアプリエンジニア", "スマホアプリエンジニア"},
		works: []string{"ネイティブアプリ開発", "スマホアプリ開発", "モバイルアプリ開発"},
		tasks: []string{
			"スマホアプリの新規機能開発", "既存アプリの改修", "ストア申請対応", "アプリの設計・実装",
			"API連携部分の実装", "クラッシュ調査・品質改善", "OSアップデート対応",
		},
		must: []string{"iOSまたはAndroidアプリの開発経験2年以上", "ストアへのリリース経験"},
		want: []string{"個人でのアプリ公開経験", "アプリのアーキテクチャ設計経験"},
		stacks: []stack{
			{7, []string{"swift", "ios"}, []string{"swiftui", "kotlin", "firebase"}},
			{6, []string{"kotlin", "android"}, []string{"jetpack-compose", "java", "firebase"}},
			{6, []string{"flutter", "dart"}, []string{"firebase", "swift", "kotlin"}},
			{3, []string{"react-native", "typescript"}, []string{"firebase"}},
		},
	},
	{
		role: listing.RoleData, dev: true, weight: 12, monthly: 68, hourly: 5500,
		names: []string{"データエンジニア", "データ基盤エンジニア"},
		works: []string{"データ基盤構築", "データパイプライン開発", "データ分析環境の整備"},
		tasks: []string{
			"データパイプラインの設計・開発", "ETL処理の実装", "DWHの設計・運用", "データ品質の監視",
			"分析用データマートの整備", "BIツールの導入支援", "ログ収集基盤の構築",
		},
		must: []string{"SQLを用いたデータ加工の経験", "データ基盤の構築・運用経験"},
		want: []string{"大規模データ処理の経験", "データモデリングの経験"},
		stacks: []stack{
			{8, []string{"python", "sql"}, []string{"gcp", "bigquery", "airflow", "dbt", "aws", "docker"}},
			{3, []string{"scala", "spark"}, []string{"aws", "gcp"}},
			{3, []string{"python", "aws"}, []string{"redshift", "terraform", "snowflake"}},
		},
	},
	{
		role: listing.RoleML, dev: true, weight: 10, monthly: 75, hourly: 6000,
		names: []string{"機械学習エンジニア", "MLエンジニア", "AIエンジニア"},
		works: []string{"機械学習モデル開発", "MLOps推進", "AI機能の開発", "LLM活用の開発"},
		tasks: []string{
			"機械学習モデルの設計・学習・評価", "推論APIの開発", "MLOps基盤の構築", "特徴量の設計",
			"LLMを用いた機能のPoC", "モデルの精度改善", "論文調査と手法の検証",
		},
		must: []string{"機械学習モデルの開発経験2年以上", "統計・機械学習の基礎知識"},
		want: []string{"論文の実装経験", "LLMを用いたプロダクト開発経験", "Kaggleなどでの実績"},
		stacks: []stack{
			{9, []string{"python", "pytorch"}, []string{"aws", "gcp", "docker", "kubernetes", "tensorflow", "scikit-learn"}},
			{3, []string{"python", "generative-ai"}, []string{"langchain", "aws", "azure"}},
			{2, []string{"python", "gcp"}, []string{"vertex-ai", "docker"}},
		},
	},
	{
		role: listing.RoleSRE, weight: 9, monthly: 76, hourly: 6000,
		names: []string{"SREエンジニア", "SREエンジニア", "DevOpsエンジニア"},
		works: []string{"信頼性向上の推進", "運用自動化", "監視の改善", "SRE推進"},
		tasks: []string{
			"SLI/SLOの策定と運用", "監視・アラート設計", "運用作業の自動化", "Kubernetesクラスタの運用",
			"ポストモーテムの推進", "デプロイパイプラインの改善", "キャパシティプランニング",
		},
		must: []string{"SREとしての実務経験2年以上", "コンテナ環境の運用経験", "IaCによる構成管理の経験"},
		want: []string{"大規模サービスの運用経験", "オンコール体制の構築経験"},
		stacks: []stack{
			{8, []string{"kubernetes", "aws"}, []string{"terraform", "go", "docker", "datadog", "prometheus", "argocd"}},
			{4, []string{"kubernetes", "gcp"}, []string{"terraform", "go", "python", "helm", "grafana"}},
			{3, []string{"aws", "terraform"}, []string{"python", "docker", "datadog"}},
		},
	},
	{
		role: listing.RolePM, weight: 8, monthly: 80, hourly: 6000,
		names: []string{"プロジェクトマネージャー", "プロジェクトマネージャー", "プロダクトマネージャー", "プロジェクトリーダー", "PMO（プロジェクトマネージャー支援）"},
		works: []string{"プロジェクト推進", "PMO支援", "プロジェクトマネジメント", "開発ディレクション"},
		tasks: []string{
			"プロジェクト計画の策定", "進捗・課題・リスク管理", "ステークホルダーとの調整", "要件定義の推進",
			"ベンダーコントロール", "会議体の運営", "リリース計画の策定",
		},
		must: []string{"PMまたはPMOとしての実務経験3年以上", "システム開発の経験", "顧客折衝の経験"},
		want: []string{"アジャイル開発でのプロジェクト推進経験", "100名規模のプロジェクト経験", "PMP資格"},
		stacks: []stack{
			{6, nil, nil},
			{2, nil, []string{"aws", "jira"}},
			{2, nil, []string{"java", "oracle"}},
		},
	},
	{
		role: listing.RoleQA, weight: 6, monthly: 50, hourly: 3500,
		names: []string{"QAエンジニア", "テストエンジニア"},
		works: []string{"QA・テスト設計", "品質保証", "テスト自動化"},
		tasks: []string{
			"テスト計画・設計", "テスト実施と不具合報告", "E2Eテストの自動化", "品質指標の整備",
			"リリース判定への参加", "テスト環境の整備",
		},
		must: []string{"テスト設計・実施の経験2年以上", "不具合管理ツールの利用経験"},
		want: []string{"テスト自動化の経験", "JSTQB資格"},
		stacks: []stack{
			{4, nil, []string{"javascript", "typescript", "python", "selenium"}},
			{2, []string{"typescript", "playwright"}, []string{"cypress"}},
			{1, []string{"java", "selenium"}, []string{"jmeter"}},
		},
	},
	{
		role: listing.RoleSecurity, weight: 5, monthly: 75, hourly: 6000,
		names: []string{"セキュリティエンジニア"},
		works: []string{"セキュリティ対策推進", "脆弱性診断", "クラウドセキュリティ強化"},
		tasks: []string{
			"脆弱性診断の実施", "セキュリティポリシーの策定", "クラウド環境のセキュリティ設定見直し", "インシデント対応",
			"ログ監視の設計", "社内向けセキュリティ教育",
		},
		must: []string{"セキュリティ領域での実務経験2年以上", "ネットワーク・OSの基礎知識"},
		want: []string{"情報処理安全確保支援士", "CSIRTでの業務経験"},
		stacks: []stack{
			{4, []string{"aws"}, []string{"python", "kubernetes", "waf"}},
			{2, []string{"azure"}, []string{"siem"}},
			{2, []string{"vulnerability-assessment"}, []string{"penetration-testing", "gcp", "python"}},
		},
	},
	{
		role: listing.RoleDesign, weight: 5, monthly: 55, hourly: 4000,
		names: []string{"UI/UXデザイナー", "Webデザイナー", "プロダクトデザイナー"},
		works: []string{"UI/UXデザイン", "Webデザイン", "UIデザイン刷新"},
		tasks: []string{
			"画面のUIデザイン", "ユーザーインタビューの実施", "ワイヤーフレーム作成", "デザインシステムの構築",
			"プロトタイプ作成", "バナー・LPの制作",
		},
		must: []string{"Webサービスのデザイン実務経験2年以上", "ポートフォリオの提出"},
		want: []string{"UXリサーチの経験", "HTML/CSSの知識"},
		stacks: []stack{
			{5, []string{"figma"}, []string{"adobe-xd", "photoshop", "illustrator"}},
			{1, []string{"figma"}, []string{"html", "css", "javascript"}},
		},
	},
	{
		role: listing.RoleOther, weight: 3, monthly: 50, hourly: 3500,
		names: []string{"社内SE", "組込みエンジニア", "ヘルプデスク", "ITコンサルタント"},
		works: []string{"社内SE業務", "組込みソフト開発", "ヘルプデスク対応", "IT戦略支援"},
		tasks: []string{
			"社内システムの運用", "問い合わせ対応", "業務改善の提案", "ベンダー調整",
			"仕様書の作成", "PCキッティング",
		},
		must: []string{"社内システムの運用経験", "ITに関する基礎知識"},
		want: []string{"情報システム部門での経験"},
		stacks: []stack{
			{3, nil, []string{"csharp", "oracle", "microsoft-365"}},
			{2, []string{"c", "cpp"}, []string{"embedded", "rtos"}},
			{1, []string{"salesforce"}, []string{"kintone"}},
		},
	},
}

// spell holds how listings write a skill; the first is the usual one and
// every one resolves with skill.Lookup.
var spell = map[string][]string{
	"go":                       {"Go", "Go", "Golang", "Go言語"},
	"java":                     {"Java"},
	"javascript":               {"JavaScript", "JavaScript", "JS"},
	"typescript":               {"TypeScript"},
	"python":                   {"Python"},
	"ruby":                     {"Ruby"},
	"php":                      {"PHP"},
	"csharp":                   {"C#"},
	"cpp":                      {"C++"},
	"c":                        {"C言語"},
	"rust":                     {"Rust"},
	"kotlin":                   {"Kotlin"},
	"swift":                    {"Swift"},
	"scala":                    {"Scala"},
	"react":                    {"React", "React", "React.js"},
	"vue":                      {"Vue.js", "Vue.js", "Vue"},
	"nextjs":                   {"Next.js"},
	"rails":                    {"Ruby on Rails", "Rails"},
	"laravel":                  {"Laravel"},
	"spring":                   {"Spring Boot", "Spring Boot", "Spring"},
	"django":                   {"Django"},
	"nodejs":                   {"Node.js"},
	"aws":                      {"AWS"},
	"gcp":                      {"GCP", "Google Cloud"},
	"azure":                    {"Azure"},
	"kubernetes":               {"Kubernetes", "Kubernetes", "k8s"},
	"docker":                   {"Docker"},
	"terraform":                {"Terraform"},
	"mysql":                    {"MySQL"},
	"postgresql":               {"PostgreSQL"},
	"oracle":                   {"Oracle"},
	"flutter":                  {"Flutter"},
	"figma":                    {"Figma"},
	"ecs":                      {"ECS", "Amazon ECS"},
	"lambda":                   {"Lambda", "AWS Lambda"},
	"spark":                    {"Spark", "PySpark"},
	"redshift":                 {"Redshift"},
	"generative-ai":            {"生成AI", "LLM"},
	"vulnerability-assessment": {"脆弱性診断"},
	"penetration-testing":      {"ペネトレーションテスト"},
	"embedded":                 {"組込み"},
	"sqlserver":                {"SQL Server"},
	"aspnet":                   {"ASP.NET"},
	"windows-server":           {"Windows Server"},
}

// skillMust phrases a required skill by its category; each follows the
// skill's name.
var skillMust = map[string][]string{
	"language":  {"での開発経験3年以上", "を用いた開発経験2年以上", "での実務経験", "による設計・実装経験"},
	"framework": {"を用いた開発経験", "での実務経験1年以上", "を利用したサービス開発経験"},
	"runtime":   {"でのサーバーサイド開発経験", "を用いた開発経験"},
	"cloud":     {"環境での構築・運用経験", "を利用した開発経験", "の各種サービスに関する知見"},
	"infra":     {"の運用経験", "を用いた環境構築経験"},
	"database":  {"を用いたDB設計経験", "のチューニング経験"},
	"mobile":    {"でのアプリ開発経験"},
	"design":    {"を用いたデザイン制作経験"},
	"library":   {"の利用経験", "を用いた開発経験"},
	"tool":      {"の利用経験"},
	"testing":   {"を用いたテスト自動化の経験"},
	"data":      {"を用いたデータ基盤の構築経験", "の利用経験"},
	"ml":        {"を用いたモデル開発経験", "を用いた開発経験"},
	"os":        {"の構築・運用経験"},
	"security":  {"の実務経験"},
	"saas":      {"の導入・運用経験"},
	"embedded":  {"開発の経験"},
	"":          {"の実務経験"},
}

// mustExperience is what the 必須 lines of roleWords.must that ask for
// years of experience ask for, as a reader takes them: in general, or in
// a skill (機械学習); alternatives (iOSまたはAndroid) are in general.
var mustExperience = map[string]listing.Experience{
	"Webサービスのバックエンド開発経験3年以上":    {Years: 3},
	"フロントエンド開発の実務経験3年以上":        {Years: 3},
	"クラウド環境の設計・構築経験2年以上":        {Years: 2},
	"Webサービス開発の実務経験3年以上":        {Years: 3},
	"iOSまたはAndroidアプリの開発経験2年以上": {Years: 2},
	"機械学習モデルの開発経験2年以上":          {Skill: "machine-learning", Years: 2},
	"SREとしての実務経験2年以上":           {Years: 2},
	"PMまたはPMOとしての実務経験3年以上":      {Years: 3},
	"テスト設計・実施の経験2年以上":           {Years: 2},
	"セキュリティ領域での実務経験2年以上":        {Years: 2},
	"Webサービスのデザイン実務経験2年以上":      {Years: 2},
}

// skillWant phrases a welcome skill, after its name.
var skillWant = []string{"の知見", "の利用経験", "での開発経験", "に触れたことがある方"}

// domain is a business field (業界) with its systems and clients.
type domain struct {
	name    string
	systems []string
	clients []string
}

var domains = []domain{
	{"決済", []string{"決済システム", "決済代行サービス", "キャッシュレス決済サービス", "請求管理システム"}, []string{"FinTech企業", "決済代行会社", "大手決済事業者"}},
	{"EC", []string{"ECサイト", "ECプラットフォーム", "D2Cブランドの通販サイト", "ECモール"}, []string{"大手EC事業会社", "アパレル通販企業", "EC支援企業"}},
	{"広告", []string{"広告配信プラットフォーム", "広告入稿システム", "DSP", "アフィリエイト管理システム"}, []string{"インターネット広告企業", "アドテク企業"}},
	{"医療", []string{"電子カルテシステム", "オンライン診療サービス", "医療機関向け予約システム", "調剤薬局向けシステム"}, []string{"医療系スタートアップ", "ヘルスケア企業"}},
	{"物流", []string{"物流管理システム", "倉庫管理システム", "配送管理サービス"}, []string{"大手物流企業", "物流テック企業"}},
	{"金融", []string{"勘定系システム", "ネット証券の取引システム", "保険契約管理システム", "与信審査システム"}, []string{"大手銀行", "ネット証券会社", "大手保険会社", "クレジットカード会社"}},
	{"SaaS", []string{"BtoB SaaS", "勤怠管理SaaS", "会計SaaS", "営業支援SaaS", "SaaS管理画面"}, []string{"SaaS企業", "急成長中のスタートアップ", "上場SaaS企業"}},
	{"ゲーム", []string{"ソーシャルゲーム", "オンラインゲーム", "ゲーム運営ツール"}, []string{"大手ゲーム会社", "ゲームスタジオ"}},
	{"不動産", []string{"不動産ポータルサイト", "物件管理システム", "不動産テックサービス"}, []string{"不動産テック企業", "大手不動産会社"}},
	{"HR", []string{"人材マッチングサービス", "採用管理システム", "タレントマネジメントサービス"}, []string{"HRテック企業", "大手人材会社"}},
	{"教育", []string{"オンライン学習サービス", "学習管理システム", "EdTechサービス"}, []string{"EdTech企業", "大手教育事業者"}},
	{"メディア", []string{"動画配信サービス", "ニュースメディア", "電子書籍サービス"}, []string{"大手メディア企業", "動画配信事業者"}},
	{"旅行", []string{"旅行予約サイト", "ホテル予約システム"}, []string{"大手旅行会社", "OTA事業者"}},
	{"製造", []string{"生産管理システム", "IoTプラットフォーム", "工場向け品質管理システム"}, []string{"大手メーカー", "製造業向けSaaS企業"}},
	{"小売", []string{"POSシステム", "店舗向け在庫管理システム", "ポイント管理システム"}, []string{"大手小売企業", "コンビニチェーン"}},
	{"公共", []string{"自治体向けシステム", "行政手続きオンライン化システム"}, []string{"大手SIer", "公共系SIer"}},
	{"通信", []string{"通信キャリアの顧客管理システム", "料金計算システム"}, []string{"大手通信キャリア", "通信系SIer"}},
	{"エネルギー", []string{"電力需給管理システム", "エネルギー管理サービス"}, []string{"電力会社", "エネルギーテック企業"}},
}

// openers introduce the job. {c} client, {s} system, {r} role name, {w} work.
var openers = []string{
	"{c}にて、{s}の{w}をご担当いただきます。",
	"{c}が運営する{s}について、{r}として{w}をお任せします。",
	"{s}のリプレイスプロジェクトにおける{w}をご依頼します。",
	"急成長中の{c}で、{s}の{w}に携わっていただきます。",
	"{c}の{s}開発チームに{r}として参画いただきます。",
	"{s}の機能拡充に伴い、{r}を募集しています。",
	"{c}様の{s}において、{r}として{w}を担っていただきます。",
	"自社サービスである{s}の{w}をお任せする案件です。",
}

// contexts follow the opener; devContexts only in listings of roles that
// write code. {k} is the main skill, {n} a team size.
var (
	contexts = []string{
		"チームは{n}名体制で、スクラムで開発を進めています。",
		"要件定義から参画いただける方を歓迎します。",
		"裁量が大きく、自ら提案しながら進められる環境です。",
		"来期のリリースに向けて体制を強化しています。",
		"社員と同じチームで、同じ目線で業務を進めます。",
		"長期的にプロダクトの成長に関わっていただける方を探しています。",
		"業務プロセスの改善にも積極的な現場です。",
		"事業の拡大に伴い、増員での募集となります。",
	}
	devContexts = []string{
		"現在はマイクロサービス化を進めており、設計段階から関わることができます。",
		"既存機能の改修に加え、新規機能の開発もお任せします。",
		"ユーザー数の増加に伴い、パフォーマンス改善にも取り組んでいます。",
		"コードレビューやドキュメント整備の文化が根付いた現場です。",
		"{k}を中心とした技術スタックで開発しています。",
		"技術選定にも意見を出せる環境です。",
		"開発プロセスの改善にも積極的な現場です。",
	}
)

// extras go to ■その他 (more are added for side jobs and by reposts).
var extras = []string{
	"面談1回（Web）", "面談2回（うち1回は同席）", "PC貸与あり", "服装自由", "長期参画を歓迎します",
	"複数名募集", "商流：エンド直", "商流：元請直", "日本語ビジネスレベル必須",
	"Slack・GitHubを利用", "私服勤務可", "年齢不問", "稼働時間の相談可",
}

// sideExtras go to ■その他 of side-job listings.
var sideExtras = []string{
	"平日夜・土日中心の稼働も相談可", "稼働時間は月40時間程度から相談可", "本業との両立を歓迎します",
	"コアタイムなし", "打ち合わせは平日夜に実施",
}

// points go to ■ポイント: what makes the job attractive.
var points = []string{
	"上流工程から参画できます", "技術選定に関われます", "長期で安定して参画できます", "モダンな開発環境です",
	"コードレビューの文化が根付いています", "残業はほとんどありません", "相談しやすいチームです",
	"新規開発フェーズからの参画です", "ドキュメントが整備されています", "エンド直案件のため裁量があります",
	"スキルアップにつながる環境です", "参画実績の多い現場です", "自社サービスのため腰を据えて開発できます",
}

// teams go to ■チーム体制; {n} and {m} are head counts.
var teams = []string{
	"PM1名、エンジニア{n}名",
	"全体{n}名（うち社外メンバー{m}名）",
	"社員{n}名、協力会社{m}名",
	"テックリード1名、メンバー{m}名",
	"{n}名程度のチームに参画いただきます",
}

// repostLines are what an agency adds when it reposts a job.
var repostLines = []string{
	"人気案件のため、お早めにご応募ください。",
	"エージェントが面談に同席します。",
	"参画後のフォロー体制も整っています。",
	"条件面はご相談ください。",
	"同様の案件を複数ご紹介可能です。",
}

// rewords are light edits an agency makes to another agency's text.
var rewords = [][2]string{
	{"ご担当いただきます", "お任せします"},
	{"お任せします", "ご担当いただきます"},
	{"の経験", "のご経験"},
	{"開発経験", "開発のご経験"},
	{"を募集しています", "を募集中です"},
	{"しています。", "しております。"},
	{"です。", "となります。"},
}

// place is a ward or city with its stations.
type place struct {
	city     string // 渋谷区, 大阪市北区
	stations []string
}

// prefPlaces lists where listings are by prefecture, with their shares;
// Tokyo is weighted a little above 65% because the regional agencies pull
// their share towards their own region.
var prefPlaces = []struct {
	code   string
	weight int
	places []place
}{
	{"JP-13", 150, []place{
		{"渋谷区", []string{"渋谷駅", "恵比寿駅", "代々木駅"}},
		{"港区", []string{"六本木駅", "品川駅", "田町駅", "浜松町駅", "虎ノ門駅"}},
		{"千代田区", []string{"東京駅", "大手町駅", "秋葉原駅", "神保町駅"}},
		{"中央区", []string{"銀座駅", "日本橋駅", "八丁堀駅", "茅場町駅"}},
		{"新宿区", []string{"新宿駅", "西新宿駅", "新宿三丁目駅"}},
		{"品川区", []string{"大崎駅", "五反田駅", "大井町駅"}},
		{"目黒区", []string{"中目黒駅", "目黒駅"}},
		{"豊島区", []string{"池袋駅"}},
		{"江東区", []string{"豊洲駅", "門前仲町駅"}},
		{"文京区", []string{"後楽園駅", "春日駅"}},
		{"台東区", []string{"上野駅"}},
		{"墨田区", []string{"錦糸町駅", "押上駅"}},
	}},
	{"JP-14", 16, []place{
		{"横浜市西区", []string{"横浜駅", "みなとみらい駅"}},
		{"横浜市港北区", []string{"新横浜駅"}},
		{"川崎市幸区", []string{"川崎駅"}},
	}},
	{"JP-27", 18, []place{
		{"大阪市北区", []string{"梅田駅", "大阪駅"}},
		{"大阪市中央区", []string{"本町駅", "淀屋橋駅", "心斎橋駅"}},
		{"大阪市淀川区", []string{"新大阪駅"}},
	}},
	{"JP-23", 8, []place{
		{"名古屋市中村区", []string{"名古屋駅"}},
		{"名古屋市中区", []string{"栄駅", "伏見駅"}},
	}},
	{"JP-40", 8, []place{
		{"福岡市博多区", []string{"博多駅"}},
		{"福岡市中央区", []string{"天神駅", "薬院駅"}},
	}},
	{"JP-26", 4, []place{
		{"京都市下京区", []string{"京都駅", "四条駅"}},
		{"京都市中京区", []string{"烏丸御池駅"}},
	}},
	{"JP-01", 4, []place{
		{"札幌市中央区", []string{"大通駅", "すすきの駅"}},
		{"札幌市北区", []string{"札幌駅"}},
	}},
	{"JP-04", 3, []place{{"仙台市青葉区", []string{"仙台駅", "勾当台公園駅"}}}},
	{"JP-34", 2, []place{{"広島市南区", []string{"広島駅"}}}},
	{"JP-11", 3, []place{{"さいたま市大宮区", []string{"大宮駅"}}}},
	{"JP-12", 2, []place{{"千葉市美浜区", []string{"海浜幕張駅"}}}},
	{"JP-28", 2, []place{{"神戸市中央区", []string{"三宮駅", "神戸駅"}}}},
}

// Text forms of the facts, the way agencies write them.
var (
	remoteFull    = []string{"フルリモート", "フルリモート", "フルリモート可", "フルリモート（全国から参画可）"}
	remotePartial = []string{"一部リモート", "一部リモート（週1出社）", "一部リモート（週2回出社）", "一部リモート（月1〜2回出社）", "リモート併用（週1出社）"}
	remoteOnsite  = []string{"常駐", "常駐", "常駐", "オンサイト（常駐）", "常駐（リモート不可）"}
	sideJobText   = []string{"副業OK", "副業OK", "副業可"}
	access        = []string{"徒歩1分", "徒歩3分", "徒歩5分", "徒歩5分", "徒歩7分", "徒歩10分", "直結"}
)

// contracts with their shares and how they are written.
var contracts = []struct {
	c      listing.Contract
	weight int
	text   []string
}{
	{listing.ContractQuasiMandate, 55, []string{"準委任", "準委任", "準委任契約"}},
	{listing.ContractOutsourcing, 30, []string{"業務委託", "業務委託", "業務委託契約"}},
	{listing.ContractWork, 11, []string{"請負", "請負契約"}},
	{listing.ContractDispatch, 4, []string{"派遣", "派遣契約"}},
}

// Section labels: each section has several names agencies use.
var (
	labelWork    = []string{"業務内容", "業務内容", "案件概要", "お仕事内容"}
	labelMust    = []string{"必須スキル", "必須スキル", "必須要件", "求めるスキル（必須）"}
	labelWant    = []string{"歓迎スキル", "歓迎スキル", "尚可スキル", "歓迎要件"}
	labelRate    = []string{"単価", "単価", "報酬", "月額単価"}
	labelDays    = []string{"稼働", "稼働日数", "稼働条件"}
	labelPlace   = []string{"勤務地", "勤務地", "就業場所", "作業場所"}
	labelRemote  = []string{"リモート", "働き方", "勤務形態"}
	labelTerms   = []string{"契約形態", "契約"}
	labelStart   = []string{"開始時期", "参画時期", "期間"}
	labelSkills  = []string{"使用技術", "開発環境", "技術スタック"}
	labelOther   = []string{"その他", "その他", "備考"}
	labelSummary = []string{"募集条件", "条件", "案件詳細"}
	labelPoints  = []string{"ポイント", "案件の魅力", "おすすめポイント"}
	labelTeam    = []string{"チーム体制", "体制", "開発体制"}
)

// heads are the section heading styles; %s is the label.
var heads = []string{"■%s", "【%s】", "◆%s", "＜%s＞", "▼%s", "■ %s"}

// brackets are the title tag styles.
var brackets = [][2]string{{"【", "】"}, {"［", "］"}, {"[", "]"}, {"≪", "≫"}, {"＜", "＞"}}

// bullets start list lines.
var bullets = []string{"・", "・", "- ", "● "}
