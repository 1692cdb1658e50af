import SIPASModel
import SIPASXlsx

/// The hidden, protected `sipas_meta` sheet: the ``SubmissionManifest`` as key and value rows, the
/// same sheet the data-entry template keeps its identity on.
struct ManifestSheet: ReportSheetContent {
    let report: ReportContext

    func write(_ s: XlsxSheetWriter) throws(XlsxWriteError) {
        for (row, pair) in report.manifest.pairs.enumerated() {
            try s.write(row, 0, pair.key)
            try s.write(row, 1, pair.value)
        }
        s.protect()
        s.hide()
    }
}
