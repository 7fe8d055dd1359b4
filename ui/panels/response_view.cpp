#include "ui/panels/response_view.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "ui/widgets/format.h"
#include "ui/widgets/connection_details.h"
#include "ui/widgets/stream_view.h"
#include "ui/widgets/timing_bar.h"

namespace sluice::ui {

namespace {

QLabel* makeLabel(const char* name, QWidget* parent) {
  auto* l = new QLabel(parent);
  l->setObjectName(QLatin1String(name));
  l->setTextInteractionFlags(Qt::TextSelectableByMouse);
  l->setWordWrap(true);
  return l;
}

bool looksLikeText(const QByteArray& d) {
  qsizetype n = std::min<qsizetype>(d.size(), 4096), bad = 0;
  for (qsizetype i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(d[i]);
    if (c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f) ++bad;
  }
  return bad * 100 <= n;  // at most 1% control bytes
}

QString hexDump(const QByteArray& d, int limit) {
  QString out;
  qsizetype n = std::min<qsizetype>(d.size(), limit);
  out.reserve(static_cast<qsizetype>(n * 4.2));
  for (qsizetype off = 0; off < n; off += 16) {
    out += QStringLiteral("%1  ").arg(off, 8, 16, QLatin1Char('0'));
    QString ascii;
    for (qsizetype i = off; i < off + 16; ++i) {
      if (i < n) {
        auto c = static_cast<unsigned char>(d[i]);
        out += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
        ascii += (c >= 0x20 && c < 0x7f) ? QChar(c) : QLatin1Char('.');
      } else {
        out += QStringLiteral("   ");
      }
    }
    out += QLatin1Char(' ') + ascii + QLatin1Char('\n');
  }
  return out;
}

}  // namespace

ResponseView::ResponseView(QWidget* parent) : QWidget(parent), timer_(new QTimer(this)) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->addWidget(buildStatusArea());
  lay->addWidget(buildTabs(), 1);
  timer_->setInterval(33);
  connect(timer_, &QTimer::timeout, this, &ResponseView::refresh);
}

QWidget* ResponseView::buildStatusArea() {
  auto* w = new QWidget(this);
  auto* lay = new QVBoxLayout(w);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->setSpacing(3);
  summary_ = makeLabel("responseSummary", w);
  summary_->setText(tr("No response yet. Press Send (Ctrl+Enter)."));
  QFont f = summary_->font();
  f.setBold(true);
  summary_->setFont(f);
  error_ = makeLabel("responseError", w);
  QPalette ep = error_->palette();
  ep.setColor(QPalette::WindowText, QColor(0xd0, 0x40, 0x40));
  error_->setPalette(ep);
  error_->hide();
  verdict_ = makeLabel("responseVerdict", w);
  auto* row = new QHBoxLayout;
  progress_ = new QProgressBar(w);
  progress_->setObjectName(QStringLiteral("responseProgress"));
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setTextVisible(true);
  progress_->setFormat(QString());
  rate_ = makeLabel("responseRate", w);
  rate_->setWordWrap(false);
  rate_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("9999.9 MiB of 9999.9 MiB · 9999 MiB/s")));
  row->addWidget(progress_, 1);
  row->addWidget(rate_);
  timing_ = new TimingBar(w);
  timing_->setObjectName(QStringLiteral("timingBar"));
  lay->addWidget(summary_);
  lay->addWidget(error_);
  lay->addWidget(verdict_);
  lay->addLayout(row);
  lay->addWidget(timing_);
  return w;
}

QWidget* ResponseView::buildBodyPage(QWidget* parent) {
  auto* bodyPage = new QWidget(parent);
  auto* bl = new QVBoxLayout(bodyPage);
  bl->setContentsMargins(2, 2, 2, 2);
  auto* bar = new QHBoxLayout;
  previewMode_ = new QComboBox(bodyPage);
  previewMode_->setObjectName(QStringLiteral("previewMode"));
  previewMode_->addItem(tr("Auto"), QStringLiteral("auto"));
  previewMode_->addItem(tr("JSON (pretty)"), QStringLiteral("json"));
  previewMode_->addItem(tr("Text"), QStringLiteral("text"));
  previewMode_->addItem(tr("Hex"), QStringLiteral("hex"));
  previewMode_->addItem(tr("Events"), QStringLiteral("events"));
  previewMode_->addItem(tr("Lines"), QStringLiteral("lines"));
  previewMode_->addItem(tr("Chunks"), QStringLiteral("chunks"));
  previewNote_ = makeLabel("previewNote", bodyPage);
  saveBody_ = new QPushButton(tr("Save body as…"), bodyPage);
  saveBody_->setObjectName(QStringLiteral("saveBodyButton"));
  saveBody_->setToolTip(tr("Writes the body already received (kept on disk while it streamed), wire or decoded, without sending the request again."));
  bar->addWidget(previewMode_);
  bar->addWidget(previewNote_, 1);
  bar->addWidget(saveBody_);
  body_ = new QPlainTextEdit(bodyPage);
  body_->setObjectName(QStringLiteral("responseBody"));
  body_->setReadOnly(true);
  body_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  body_->setLineWrapMode(QPlainTextEdit::NoWrap);
  body_->setPlaceholderText(tr("The body preview appears here as it streams in."));
  stream_ = new StreamView(bodyPage);
  stream_->setObjectName(QStringLiteral("streamView"));
  bodyStack_ = new QStackedWidget(bodyPage);
  bodyStack_->addWidget(body_);
  bodyStack_->addWidget(stream_);
  bl->addLayout(bar);
  bl->addWidget(bodyStack_, 1);
  connect(previewMode_, &QComboBox::currentIndexChanged, this, [this] {
    if (!transfer_) return;
    TransferView v = transfer_->view();
    applyBodyMode(v);
    showPreview(v, true);
  });
  connect(saveBody_, &QPushButton::clicked, this, &ResponseView::saveBodyRequested);
  return bodyPage;
}

QWidget* ResponseView::buildTabs() {
  tabs_ = new QTabWidget(this);
  tabs_->setObjectName(QStringLiteral("responseTabs"));
  headers_ = new QTableWidget(0, 2, tabs_);
  headers_->setObjectName(QStringLiteral("responseHeaders"));
  headers_->setHorizontalHeaderLabels({tr("Header"), tr("Value")});
  headers_->horizontalHeader()->setStretchLastSection(true);
  headers_->verticalHeader()->setVisible(false);
  headers_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  timingText_ = makeLabel("timingText", tabs_);
  timingText_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  tabs_->addTab(buildBodyPage(tabs_), tr("Body"));
  tabs_->addTab(headers_, tr("Headers"));
  tabs_->addTab(timingText_, tr("Timing"));
  connection_ = new ConnectionDetails(tabs_);
  connection_->setObjectName(QStringLiteral("connectionDetails"));
  tabs_->addTab(connection_, tr("Connection"));
  tabs_->setMinimumHeight(110);
  return tabs_;
}

void ResponseView::applyBodyMode(const TransferView& v) {
  QString mode = previewMode_->currentData().toString();
  std::optional<StreamKind> kind;
  if (mode == QLatin1String("events")) kind = StreamKind::kEvents;
  else if (mode == QLatin1String("lines")) kind = StreamKind::kLines;
  else if (mode == QLatin1String("chunks")) kind = StreamKind::kChunks;
  else if (mode == QLatin1String("auto")) kind = StreamFeed::autoKind(v.contentType.toStdString(), false);
  if (kind) {
    if (stream_->kind() != *kind || bodyStack_->currentWidget() != stream_) stream_->setKind(*kind);
    bodyStack_->setCurrentWidget(stream_);
  } else {
    bodyStack_->setCurrentWidget(body_);
  }
}

void ResponseView::track(std::shared_ptr<Transfer> t) {
  transfer_ = std::move(t);
  finalShown_ = false;
  shownHeaders_ = -1;
  shownPreviewBytes_ = -1;
  rateSamples_.clear();
  samplingUpload_ = false;
  body_->clear();
  streamSourced_ = false;
  stream_->setSource(nullptr, false);
  applyBodyMode(TransferView{});
  headers_->setRowCount(0);
  previewNote_->clear();
  timing_->clear();
  connection_->clear();
  lastPreview_.invalidate();
  refresh();
  if (!finalShown_) timer_->start();
}

void ResponseView::refresh() {
  if (!transfer_) {
    timer_->stop();
    return;
  }
  TransferView v = transfer_->view();
  showView(v);
  if (v.final()) {
    timer_->stop();
    if (!finalShown_) {
      finalShown_ = true;
      emit finished(transfer_);
    }
  }
}

void ResponseView::showView(const TransferView& v) {
  using P = TransferView::Phase;
  QString state;
  if (v.phase == P::kWaiting && v.uploading)
    state = tr("sending the request body… %1%2 · %3 ms")
                .arg(formatBytes(v.uploadSent), v.uploadTotal ? tr(" of %1").arg(formatBytes(v.uploadTotal)) : QString())
                .arg(v.elapsedMs);
  else if (v.phase == P::kWaiting && v.uploadSent)
    state = tr("waiting for the response head… %1 ms (request body sent: %2)").arg(v.elapsedMs).arg(formatBytes(v.uploadSent));
  else if (v.phase == P::kWaiting) state = tr("waiting for the response head… %1 ms").arg(v.elapsedMs);
  else if (v.status) state = QStringLiteral("%1 %2 · %3 · %4 ms").arg(v.status).arg(v.reason, formatBytes(v.bytes)).arg(v.elapsedMs);
  else state = tr("no response");
  if (v.phase == P::kStreaming) state += tr(" · streaming");
  if (v.phase == P::kCancelled) state += tr(" · cancelled");
  if (v.phase == P::kFailed) state += tr(" · failed");
  summary_->setText(state);
  error_->setVisible(!v.error.isEmpty());
  error_->setText(QStringLiteral("⚠ ") + v.error);
  QString verdict = v.verdict.isEmpty() ? QString() : tr("Connection: %1").arg(v.verdict);
  if (!v.note.isEmpty()) verdict += (verdict.isEmpty() ? QString() : QStringLiteral("\n")) + v.note;
  if (!v.hops.isEmpty()) verdict += (verdict.isEmpty() ? QString() : QStringLiteral("\n")) + redirectText(v);
  verdict_->setText(verdict);
  verdict_->setVisible(!verdict.isEmpty());
  showProgress(v);
  timing_->setTimings(v.timings, static_cast<quint64>(v.elapsedMs) * 1000);
  timingText_->setText(timing_->summary().replace(QStringLiteral(" · "), QStringLiteral("\n")));
  showHeaders(v);
  if (v.status) connection_->show(v.tls, v.connectionId);  // cheap when nothing changed
  if (!streamSourced_ && v.phase != TransferView::Phase::kWaiting) {
    if (auto feed = transfer_->streamFeed()) {
      streamSourced_ = true;
      stream_->setSource(std::move(feed), !v.final());
      applyBodyMode(v);
    }
  }
  if (streamSourced_) stream_->setLive(!v.final());
  showPreview(v, v.final() && !finalShown_);
}

double ResponseView::sampleRate(const TransferView& v, quint64 bytes) {
  rateSamples_.emplace_back(v.elapsedMs, bytes);
  while (rateSamples_.size() > 2 && rateSamples_.front().first < v.elapsedMs - 1000) rateSamples_.pop_front();
  if (v.final() && v.elapsedMs > 0) return static_cast<double>(bytes) * 1000.0 / static_cast<double>(v.elapsedMs);
  if (rateSamples_.size() >= 2 && rateSamples_.back().first > rateSamples_.front().first &&
      rateSamples_.back().second >= rateSamples_.front().second)
    return static_cast<double>(rateSamples_.back().second - rateSamples_.front().second) * 1000.0 /
           static_cast<double>(rateSamples_.back().first - rateSamples_.front().first);
  return 0;
}

void ResponseView::showProgress(const TransferView& v) {
  // While the request body goes out, the bar and the rate are the upload's (sampled from
  // the engine's counter); from the response head on they are the download's.
  bool upload = v.phase == TransferView::Phase::kWaiting && v.uploading;
  if (upload != samplingUpload_) rateSamples_.clear(), samplingUpload_ = upload;
  if (upload) {
    double rate = sampleRate(v, v.uploadSent);
    bool known = v.uploadTotal > 0;
    progress_->setRange(0, known ? 1000 : 0);
    progress_->setValue(known ? static_cast<int>(std::min<quint64>(1000, v.uploadSent * 1000 / v.uploadTotal)) : 0);
    progress_->setFormat(known ? tr("sending %p%") : QString());
    rate_->setText(known ? tr("sent %1 of %2 · %3").arg(formatBytes(v.uploadSent), formatBytes(v.uploadTotal), formatRate(rate))
                         : tr("sent %1 · %2").arg(formatBytes(v.uploadSent), formatRate(rate)));
    return;
  }
  double rate = sampleRate(v, v.bytes);
  if (v.total && *v.total > 0) {
    progress_->setRange(0, 1000);
    progress_->setValue(static_cast<int>(std::min<quint64>(1000, v.bytes * 1000 / *v.total)));
    progress_->setFormat(QStringLiteral("%1%").arg(static_cast<double>(v.bytes) * 100.0 / static_cast<double>(*v.total), 0, 'f', 0));
    rate_->setText(tr("%1 of %2 · %3").arg(formatBytes(v.bytes), formatBytes(*v.total), formatRate(rate)));
  } else {
    bool running = !v.final();
    progress_->setRange(0, running ? 0 : 1000);  // busy while the length is unknown
    progress_->setValue(running ? 0 : (v.phase == TransferView::Phase::kDone ? 1000 : 0));
    progress_->setFormat(running ? QString() : QStringLiteral("%p%"));
    rate_->setText(tr("%1 · %2").arg(formatBytes(v.bytes), formatRate(rate)));
  }
  if (!v.contentEncoding.isEmpty()) rate_->setText(rate_->text() + decodingText(v));
}

void ResponseView::showHeaders(const TransferView& v) {
  if (shownHeaders_ == v.headers.size()) return;
  shownHeaders_ = static_cast<int>(v.headers.size());
  headers_->setRowCount(shownHeaders_);
  for (int i = 0; i < shownHeaders_; ++i) {
    headers_->setItem(i, 0, new QTableWidgetItem(v.headers[i].first));
    headers_->setItem(i, 1, new QTableWidgetItem(v.headers[i].second));
  }
  headers_->resizeColumnToContents(0);
}

QString ResponseView::redirectText(const TransferView& v) {
  QStringList steps;
  for (const auto& h : v.hops) steps << QStringLiteral("%1 %2 (request #%3)").arg(h.status).arg(h.url).arg(h.requestId);
  QString chain = steps.join(QStringLiteral(" → "));
  QString s = v.hops.size() == 1 ? tr("Followed 1 redirect: %1").arg(chain)
                                 : tr("Followed %1 redirects: %2").arg(QString::number(v.hops.size()), chain);
  if (!v.finalUrl.isEmpty()) s += tr(" → final URL %1").arg(v.finalUrl);
  return s;
}

QString ResponseView::decodingText(const TransferView& v) {
  if (!v.decoding) return tr(" · %1 on the wire, not decoded").arg(v.contentEncoding);
  return tr(" · wire %1, decoded %2 (%3)").arg(formatBytes(v.bytes), formatBytes(v.decodedBytes), v.contentEncoding);
}

void ResponseView::showPreview(const TransferView& v, bool force) {
  // While streaming, re-render at most 4 times a second, and only when the preview grew
  // (it stops growing at its cap). force: the end of the transfer, or a new preview mode.
  if (bodyStack_->currentWidget() == stream_) {
    previewNote_->setText(tr("rows as they arrived; Save keeps the whole body"));
    return;  // the text preview is not rendered while it is hidden
  }
  if (!force) {
    if (v.preview.size() == shownPreviewBytes_) return;
    if (lastPreview_.isValid() && lastPreview_.elapsed() < 250) return;
  }
  shownPreviewBytes_ = v.preview.size();
  lastPreview_.start();
  QString note;
  QString text = renderPreview(v.preview, v.contentType, previewMode_->currentData().toString(), v.previewCapped, &note);
  body_->setPlainText(text);
  if (!v.contentEncoding.isEmpty() && (!v.decoding || !v.decodeError.isEmpty())) {
    // Compressed bytes are never shown as text: say why the preview is empty or stopped.
    if (!v.decoding) body_->clear();
    note = v.decoding ? v.decodeError
                      : tr("the body is %1-encoded: turn on Decode (Connection tab) to read it; Save keeps the wire bytes")
                            .arg(v.contentEncoding);
  }
  previewNote_->setText(note);
}

QString ResponseView::renderPreview(const QByteArray& data, const QString& contentType, const QString& mode, bool capped,
                                    QString* note) {
  QString m = mode;
  if (m == QLatin1String("auto")) {
    QByteArray head = data.left(64).trimmed();
    bool jsonish = contentType.contains(QLatin1String("json")) || head.startsWith('{') || head.startsWith('[');
    m = jsonish && !capped ? QStringLiteral("json") : looksLikeText(data) ? QStringLiteral("text") : QStringLiteral("hex");
  }
  QStringList notes;
  if (capped) notes << tr("preview capped at %1 in memory; the rest was counted, not kept").arg(formatBytes(static_cast<quint64>(data.size())));
  QString out;
  if (m == QLatin1String("json")) {
    QJsonParseError pe;
    QJsonDocument doc = QJsonDocument::fromJson(data, &pe);
    if (pe.error == QJsonParseError::NoError) out = QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
    else {
      notes << tr("not valid JSON (%1): shown as text").arg(pe.errorString());
      m = QStringLiteral("text");
    }
  }
  if (m == QLatin1String("text")) {
    out = QString::fromUtf8(data.left(kTextShown));
    if (data.size() > kTextShown) notes << tr("showing the first %1").arg(formatBytes(kTextShown));
  } else if (m == QLatin1String("hex")) {
    out = hexDump(data, kHexShown);
    if (data.size() > kHexShown) notes << tr("hex of the first %1").arg(formatBytes(kHexShown));
  }
  if (out.size() > kTextShown * 2) out.truncate(kTextShown * 2);
  if (note) *note = notes.join(QStringLiteral(" · "));
  return out;
}

}  // namespace sluice::ui
