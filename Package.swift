// swift-tools-version: 6.1
import PackageDescription

// Data flow: Questionnaires (Model) → Collect (CSV, Synthetic, …) → Analysis (Statistics) → Report (Xlsx) → CLI.
let package = Package(
    name: "sipas",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sipas", targets: ["sipas"]),
        .executable(name: "sipas-coverage", targets: ["sipas-coverage"]),
        .library(name: "SIPASModel", targets: ["SIPASModel"]),
        .library(name: "SIPASStatistics", targets: ["SIPASStatistics"]),
        .library(name: "SIPASAnalysis", targets: ["SIPASAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // Pure core: no I/O.
        .target(name: "SIPASStatistics", path: "Sources/Statistics"),
        .target(
            name: "SIPASModel",
            dependencies: [.product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Model"),
        .target(
            name: "SIPASAnalysis",
            dependencies: ["SIPASModel", "SIPASStatistics"],
            path: "Sources/Analysis"),
        .target(
            name: "SIPASSynthetic",
            dependencies: ["SIPASModel", "SIPASStatistics"],
            path: "Sources/Collect/Synthetic"),
        // Adapters.
        .target(
            name: "SIPASCSV",
            dependencies: ["SIPASModel"],
            path: "Sources/Collect/CSV"),
        .target(
            name: "SIPASXlsxReader",
            dependencies: ["SIPASModel", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            path: "Sources/Collect/XlsxReader"),
        .target(
            name: "SIPASTemplate",
            dependencies: ["SIPASModel", "SIPASXlsx", "SIPASXlsxReader"],
            path: "Sources/Collect/Template"),
        .systemLibrary(
            name: "CXlsxWriter",
            path: "Sources/Report/CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]),
        .target(
            name: "SIPASXlsx",
            dependencies: ["CXlsxWriter"],
            path: "Sources/Report/Xlsx"),
        // Paper forms: the layout (pure, given a text measurer), Pango/Cairo and libqrencode to print it.
        .systemLibrary(
            name: "CPangoCairo",
            path: "Sources/Collect/Paper/CPangoCairo",
            pkgConfig: "pangocairo",
            providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]),
        .systemLibrary(
            name: "CQREncode",
            path: "Sources/Collect/Paper/CQREncode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]),
        .target(name: "SIPASFormLayout", dependencies: ["SIPASModel"], path: "Sources/Collect/Paper/Layout"),
        .target(name: "SIPASFormPDF", dependencies: ["SIPASFormLayout", "CPangoCairo", "CQREncode"], path: "Sources/Collect/Paper/PDF"),
        // Scanned forms: the mark reader (pure), and Leptonica, poppler and zbar to get pages and QR codes.
        .systemLibrary(name: "CLeptonica", path: "Sources/Collect/Scan/CLeptonica", pkgConfig: "lept", providers: [.apt(["libleptonica-dev"])]),
        .systemLibrary(name: "CPoppler", path: "Sources/Collect/Scan/CPoppler", pkgConfig: "poppler-glib", providers: [.apt(["libpoppler-glib-dev"])]),
        .systemLibrary(name: "CZBar", path: "Sources/Collect/Scan/CZBar", pkgConfig: "zbar", providers: [.apt(["libzbar-dev"])]),
        .target(name: "SIPASOMR", dependencies: ["SIPASFormLayout", "SIPASModel"], path: "Sources/Collect/Scan/OMR"),
        .target(name: "SIPASScanInput", dependencies: ["SIPASOMR", "CLeptonica", "CPoppler", "CZBar"], path: "Sources/Collect/Scan/Input"),
        // The review of doubtful marks in a browser (loopback, token).
        .target(
            name: "SIPASScanReview",
            dependencies: [
                "SIPASOMR", "SIPASHTTP", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Collect/Scan/Review"),
        // The store's contract (pure): what kiosks need from any store.
        .target(
            name: "SIPASStoring", dependencies: ["SIPASModel", .product(name: "Crypto", package: "swift-crypto")], path: "Sources/Store/Contract"),
        // Store: embedded SQLite (the default), and PostgreSQL for a district or province server. Both
        // fill the same column reader, so they live in one module.
        .target(
            name: "SIPASStore",
            dependencies: [
                "SIPASModel", "SIPASStoring", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Store", exclude: ["Contract"]),
        // Kiosk at the counter: the flow (pure), the recorder (group commit), terminal and web drivers.
        .target(
            name: "SIPASKiosk",
            dependencies: ["SIPASModel", "SIPASStoring", .product(name: "Yams", package: "Yams")],
            path: "Sources/Collect/Kiosk"),
        // What the two local web servers (web kiosk, scan review) share: JSON answers, refusals, the token check.
        .target(
            name: "SIPASHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Sources/Collect/HTTP"),
        .target(
            name: "SIPASKioskWeb",
            dependencies: [
                "SIPASKiosk", "SIPASStoring", "SIPASHTTP", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Sources/Collect/KioskWeb"),
        // The district or province server (sipas serve): kiosks' outboxes in, the status page out.
        .target(name: "SIPASSyncAPI", path: "Sources/Collect/SyncAPI"),
        .target(
            name: "SIPASServer",
            dependencies: [
                "SIPASKiosk", "SIPASKioskWeb", "SIPASStoring", "SIPASSyncAPI", "SIPASHTTP", "SIPASModel", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Sources/Collect/Server"),
        // A kiosk's outbox pushed to that server (sipas kiosk --upstream): the API client and the sync loop.
        .target(
            name: "SIPASSync",
            dependencies: [
                "SIPASStoring", "SIPASSyncAPI", .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Collect/Sync"),
        .target(
            name: "SIPASReport",
            dependencies: ["SIPASModel", "SIPASAnalysis", "SIPASStatistics", "SIPASXlsx"],
            path: "Sources/Report/Workbook"),
        // Use cases between the command line and the modules: import, analyse, report, demo, catalogue.
        .target(
            name: "SIPASWorkflows",
            dependencies: [
                "SIPASModel", "SIPASStatistics", "SIPASAnalysis", "SIPASSynthetic", "SIPASCSV", "SIPASStoring", "SIPASStore", "SIPASTemplate",
                "SIPASXlsxReader", "SIPASReport", "SIPASFormLayout", "SIPASFormPDF", "SIPASOMR", "SIPASScanInput", "SIPASScanReview",
                "SIPASServer", "SIPASKiosk", "SIPASHTTP", .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Workflows"),
        .target(
            name: "SIPASCommands",
            dependencies: [
                "SIPASModel", "SIPASStatistics", "SIPASAnalysis", "SIPASSynthetic", "SIPASCSV", "SIPASXlsx", "SIPASStore", "SIPASTemplate", "SIPASXlsxReader", "SIPASReport",
                "SIPASKiosk", "SIPASKioskWeb", "SIPASServer", "SIPASSync", "SIPASStoring", "SIPASWorkflows", "SIPASFormLayout", "SIPASOMR", "SIPASScanInput", "SIPASScanReview", "SIPASHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CLI/Commands"),
        .executableTarget(
            name: "sipas",
            dependencies: ["SIPASCommands"],
            path: "Sources/CLI/Main"),
        // The coverage study of the interval methods (scripts/bench/coverage.sh): not part of sipas.
        .target(name: "SIPASCoverage", dependencies: ["SIPASAnalysis", "SIPASModel", "SIPASStatistics"], path: "Sources/Bench/Coverage"),
        .executableTarget(
            name: "sipas-coverage",
            dependencies: ["SIPASCoverage", "SIPASModel", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Bench/CoverageMain"),
        // The communes' workbooks for the consolidation benchmark (scripts/bench/province.sh): not part of sipas.
        .executableTarget(
            name: "sipas-bench-workbooks",
            dependencies: [
                "SIPASWorkflows", "SIPASModel", "SIPASCSV", "SIPASStore", "SIPASReport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Bench/WorkbooksMain"),
        .testTarget(
            name: "CoverageTests", dependencies: ["SIPASCoverage", "SIPASAnalysis", "SIPASModel", "SIPASStatistics"], path: "Tests/CoverageTests"),
        .testTarget(name: "StatisticsTests", dependencies: ["SIPASStatistics"], path: "Tests/StatisticsTests"),
        .testTarget(name: "ModelTests", dependencies: ["SIPASModel"], path: "Tests/ModelTests"),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["SIPASModel", "SIPASStatistics", "SIPASAnalysis", "SIPASSynthetic", "SIPASCSV"],
            path: "Tests/AnalysisTests"),
        .testTarget(name: "XlsxTests", dependencies: ["SIPASXlsx", "ZIPFoundation"], path: "Tests/XlsxTests"),
        .testTarget(
            name: "StoreTests",
            dependencies: ["SIPASStore", "SIPASStoring", "SIPASModel", "SIPASSynthetic", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/StoreTests"),
        .testTarget(
            name: "TemplateTests", dependencies: ["SIPASTemplate", "SIPASXlsxReader", "SIPASModel", "SIPASSynthetic", "ZIPFoundation"],
            path: "Tests/TemplateTests"),
        .testTarget(
            name: "ReportTests", dependencies: ["SIPASReport", "SIPASAnalysis", "SIPASModel", "SIPASSynthetic", "ZIPFoundation"],
            path: "Tests/ReportTests", exclude: ["Golden", "Scripts"]),
        // Helpers shared by test targets: running the command-line tools the tests check with.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .target(name: "KioskTestSupport", dependencies: ["SIPASKiosk", "SIPASStoring", "SIPASModel"], path: "Tests/KioskTestSupport"),
        .testTarget(
            name: "KioskTests", dependencies: ["KioskTestSupport", "SIPASKiosk", "SIPASStoring", "SIPASStore", "SIPASModel", "TestSupport"], path: "Tests/KioskTests"),
        .testTarget(
            name: "KioskWebTests",
            dependencies: [
                "KioskTestSupport", "SIPASKioskWeb", "SIPASKiosk", "SIPASStoring", "SIPASModel",
                .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/KioskWebTests"),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "SIPASServer", "SIPASSync", "SIPASKiosk", "SIPASStore", "SIPASStoring", "SIPASModel", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/ServerTests"),
        .testTarget(
            name: "WorkflowsTests", dependencies: ["SIPASWorkflows", "SIPASAnalysis", "SIPASStore", "SIPASStoring", "SIPASModel", "SIPASSynthetic", "SIPASTemplate", "SIPASCSV", "SIPASReport", "TestSupport"],
            path: "Tests/WorkflowsTests"),
        .testTarget(
            name: "PaperTests",
            dependencies: [
                "SIPASFormLayout", "SIPASFormPDF", "SIPASOMR", "SIPASScanInput", "SIPASScanReview", "SIPASWorkflows", "SIPASModel", "SIPASStatistics",
                "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/PaperTests"),
        .testTarget(
            name: "CLITests", dependencies: ["SIPASCommands", "SIPASStore", "SIPASStoring", "SIPASModel", "TestSupport"], path: "Tests/CLITests",
            exclude: ["Fixtures", "Scripts"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (scripts/fuzz/run.sh), only when SIPAS_FUZZ=1: never part of a normal build.
if Context.environment["SIPAS_FUZZ"] == "1" {
    package.targets += [
        .target(
            name: "SIPASFuzzSupport", dependencies: ["SIPASModel"], path: "Sources/Fuzz/Support",
            resources: [.embedInCode("sipas-2023.yaml"), .embedInCode("counter-quick.yaml")]),
        .executableTarget(name: "FuzzCSV", dependencies: ["SIPASFuzzSupport", "SIPASCSV", "SIPASModel"], path: "Sources/Fuzz/CSV"),
        .executableTarget(name: "FuzzSheetXML", dependencies: ["SIPASXlsxReader"], path: "Sources/Fuzz/SheetXML"),
        .executableTarget(
            name: "FuzzXlsx",
            dependencies: ["SIPASFuzzSupport", "SIPASModel", "SIPASTemplate", "SIPASXlsxReader", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            path: "Sources/Fuzz/Xlsx"),
        .executableTarget(name: "FuzzYAML", dependencies: ["SIPASFuzzSupport", "SIPASCSV", "SIPASModel", "SIPASReport"], path: "Sources/Fuzz/YAML"),
    ]
}
