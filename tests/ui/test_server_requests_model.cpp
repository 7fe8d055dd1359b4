// The servers area's request table (ServerRequestsModel): a request whose connection
// ended before the whole response left is shown as aborted, with the bytes sent and the
// reason, not as "done" (issue 14 #13).
#include <QColor>
#include <QtTest>

#include "ui/models/server_requests_model.h"

using sluice::observe::Event;
using sluice::observe::EventKind;
using sluice::observe::RequestOutcome;
using sluice::ui::ServerRequestsModel;

class TestServerRequestsModel : public QObject {
  Q_OBJECT

 private slots:
  void abortedDownloadIsShownAborted();
};

namespace {
Event started(uint64_t id, const char* text) {
  Event ev{.kind = EventKind::kRequestStarted, .connectionId = id, .requestId = id};
  ev.text = text;
  ev.detail = "127.0.0.1:5000";
  return ev;
}
Event finished(uint64_t id, int status, uint64_t out, RequestOutcome outcome, const char* reason) {
  Event ev{.kind = EventKind::kRequestFinished, .connectionId = id, .requestId = id, .code = status, .bytesOut = out,
           .durationUs = 1000};
  ev.outcome = outcome;
  ev.reason = reason;
  return ev;
}
}  // namespace

void TestServerRequestsModel::abortedDownloadIsShownAborted() {
  ServerRequestsModel model;
  model.addEvents(1, 8080, {started(1, "GET /bytes/1073741824 HTTP/1.1"), started(2, "GET /status/200 HTTP/1.1"),
                            finished(1, 200, 65536, RequestOutcome::kAborted, "peer reset during response"),
                            finished(2, 200, 17, RequestOutcome::kComplete, "")});
  model.applyPending();
  QCOMPARE(model.rowCount(), 2);
  const QModelIndex cut = model.index(0, ServerRequestsModel::kProgress);
  QCOMPARE(model.data(cut, Qt::DisplayRole).toString(), QStringLiteral("aborted"));
  QCOMPARE(model.data(model.index(0, ServerRequestsModel::kStatus), Qt::DisplayRole).toString(), QStringLiteral("200"));
  const QString tip = model.data(cut, Qt::ToolTipRole).toString();
  QVERIFY2(tip.contains("peer reset during response") && tip.contains("sent"), qPrintable(tip));
  QVERIFY(model.data(cut, Qt::ForegroundRole).value<QColor>().isValid());
  QCOMPARE(model.data(model.index(1, ServerRequestsModel::kProgress), Qt::DisplayRole).toString(), QStringLiteral("done"));
  QVERIFY(!model.data(model.index(1, ServerRequestsModel::kProgress), Qt::ToolTipRole).isValid());
}

QTEST_MAIN(TestServerRequestsModel)
#include "test_server_requests_model.moc"
