package demo_test

import (
	"fmt"

	"anken/internal/demo"
)

func ExampleGenerate() {
	for it := range demo.Generate(3, demo.Options{Seed: 1}) {
		fmt.Printf("%s %s %s %s %q\n", it.Agency, it.ExternalID, it.Truth.Role, it.Truth.Remote, it.Truth.Prefecture)
		fmt.Println(it.Title)
	}
	// Output:
	// techlink TL-010001 mobile full "JP-13"
	// 【Flutter/Dart/フルリモート】医療領域のオンライン診療サービスにおけるモバイルアプリ開発
	// arc-engineers AE100001 ml full ""
	// D2Cブランドの通販サイトの機械学習モデル開発≪Python/フルリモート≫
	// cloudstep cs_000001 backend onsite "JP-13"
	// 大手決済事業者向け請求管理システムのサーバーサイド開発＜C#＞
}
