// "Save body as…" against a real local server (offscreen): the body kept on disk while
// it streamed is written byte-exact, wire or decoded, and the server saw the request
// once; a body not kept is never re-sent for POST, and re-sent for GET only when the
// user agrees.
#include <QApplication>
#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <memory>

#include "engine/client/client.h"
#include "engine/http/content_coding.h"
#include "support/serve_fixture.h"
#include "support/ui_window.h"
#include "ui/bridge/transfer.h"
#include "ui/panels/body_saver.h"
#include "ui/panels/main_window.h"
#include "ui/panels/request_panel.h"

using namespace sluice;
using namespace sluice::ui;

namespace {

/** The body of GET path from the server, read by the engine's client. */
std::string fetchBody(const std::string& url) {
  client::Client c;
  auto req = client::Request::get(url);
  if (!req) return "ERROR: " + req.error().message;
  auto ex = c.fetch(std::move(*req));
  if (!ex) return "ERROR: " + ex.error().message;
  std::string out;
  auto r = ex->body.readAll(out, 64u << 20, std::chrono::milliseconds(10000));
  ex->body.release();
  return r ? out : "ERROR: " + r.error().message;
}

QByteArray fileBytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(missing)");
}

}  // namespace

class TestBodySave : public QObject {
  Q_OBJECT
  sluice::test::UiWindowFixture fixture_{"ui-body-save"};
  sluice::test::InProcessServer server_;
  std::unique_ptr<MainWindow> window_;
  int asked_ = 0;
  bool answer_ = false;

  RequestPanel* panel() { return window_->requestPanel(); }
  uint64_t serverRequests() { return server_.server().stats().snapshot().requests; }

  /** Sends spec and waits for the transfer's end. */
  bool sendAndWait(RequestSpec spec) {
    panel()->setSpec(spec);
    panel()->send();
    auto t = panel()->current();
    return QTest::qWaitFor([&] { return t->final(); }, 15000) && t->view().phase == TransferView::Phase::kDone;
  }
  /** Saves into name and waits for the copy; returns the error ("" on success). */
  QString saveAndWait(const QString& name, BodySaver::Variant variant) {
    QSignalSpy saved(panel()->bodySaver(), &BodySaver::saved);
    panel()->saveBodyAs(fixture_.path(name), variant);
    if (!saved.wait(10000)) return QStringLiteral("no saved() signal");
    return saved.at(0).at(1).toString();
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName(QStringLiteral("SluiceTest"));
    QVERIFY(fixture_.ok());
    QVERIFY2(server_.start(), server_.error().c_str());
    window_ = fixture_.open();
    panel()->bodySaver()->setAsk([this](const QString&) { return ++asked_, answer_; });
    panel()->bodySaver()->setChoose([](const QString&) { return std::optional<bool>(); });
  }
  void cleanupTestCase() {
    window_.reset();
    server_.stop();
  }

  void savesTheKeptBodyWithoutResending() {
    RequestSpec s;
    s.url = QString::fromStdString(server_.url("/bytes/3000000"));  // past the 256 KiB preview
    uint64_t before = serverRequests();
    QVERIFY(sendAndWait(s));
    QTRY_COMPARE_WITH_TIMEOUT(serverRequests(), before + 1, 5000);
    quint64 sent = panel()->current()->localId();
    QCOMPARE(saveAndWait(QStringLiteral("plain.bin"), BodySaver::Variant::kAsk), QString());
    QCOMPARE(serverRequests(), before + 1);
    QCOMPARE(panel()->current()->localId(), sent);  // no new transfer either
    QCOMPARE(asked_, 0);
    QByteArray saved = fileBytes(fixture_.path(QStringLiteral("plain.bin")));
    QCOMPARE(saved.size(), qsizetype(3000000));
    QVERIFY(saved == QByteArray::fromStdString(fetchBody(server_.url("/bytes/3000000"))));
  }

  void savesWireOrDecoded() {
    RequestSpec s;
    s.url = QString::fromStdString(server_.url("/bytes/400000?encoding=gzip"));
    s.decode = true;
    uint64_t before = serverRequests();
    QVERIFY(sendAndWait(s));
    QCOMPARE(saveAndWait(QStringLiteral("decoded.bin"), BodySaver::Variant::kDecoded), QString());
    QCOMPARE(saveAndWait(QStringLiteral("wire.bin"), BodySaver::Variant::kWire), QString());
    QTRY_COMPARE_WITH_TIMEOUT(serverRequests(), before + 1, 5000);
    QByteArray decoded = fileBytes(fixture_.path(QStringLiteral("decoded.bin")));
    QVERIFY(decoded == QByteArray::fromStdString(fetchBody(server_.url("/bytes/400000"))));
    QByteArray wire = fileBytes(fixture_.path(QStringLiteral("wire.bin")));
    QCOMPARE(quint64(wire.size()), panel()->current()->view().bytes);
    QVERIFY(wire.size() < decoded.size());
    auto dec = http::ContentDecoder::create("gzip");
    QVERIFY(dec);
    std::string out;
    QVERIFY((*dec)->decode(std::string_view(wire.constData(), size_t(wire.size())), out).has_value());
    QVERIFY((*dec)->finish().has_value());
    QVERIFY(QByteArray::fromStdString(out) == decoded);
  }

  void postNotKeptIsNeverResent() {
    RequestSpec s;
    s.method = QStringLiteral("POST");
    s.url = QString::fromStdString(server_.url("/echo"));
    s.bodyKind = RequestSpec::BodyKind::kText;
    s.bodyText = QStringLiteral("hello");
    s.release = ReleasePolicy::kNow;  // released at the head: the body is not kept
    uint64_t before = serverRequests();
    QVERIFY(sendAndWait(s));
    QTRY_COMPARE_WITH_TIMEOUT(serverRequests(), before + 1, 5000);
    quint64 sent = panel()->current()->localId();
    answer_ = true;  // even a yes would not resend a POST: the user is never asked
    QSignalSpy said(panel()->bodySaver(), &BodySaver::message);
    panel()->saveBodyAs(fixture_.path(QStringLiteral("post.bin")));
    QCOMPARE(asked_, 0);
    QCOMPARE(panel()->current()->localId(), sent);
    QVERIFY(!QFile::exists(fixture_.path(QStringLiteral("post.bin"))));
    QCOMPARE(said.size(), 1);
    QVERIFY2(said.at(0).at(0).toString().contains(QLatin1String("POST is not idempotent, so it is never sent again")),
             qPrintable(said.at(0).at(0).toString()));
    QCOMPARE(serverRequests(), before + 1);
  }

  void getNotKeptAsksBeforeResending() {
    RequestSpec s;
    s.url = QString::fromStdString(server_.url("/bytes/5000"));
    s.release = ReleasePolicy::kNow;
    QVERIFY(sendAndWait(s));
    quint64 sent = panel()->current()->localId();
    asked_ = 0;
    answer_ = false;
    panel()->saveBodyAs(fixture_.path(QStringLiteral("get.bin")));
    QCOMPARE(asked_, 1);
    QCOMPARE(panel()->current()->localId(), sent);  // declined: nothing sent
    answer_ = true;
    panel()->saveBodyAs(fixture_.path(QStringLiteral("get.bin")));
    QCOMPARE(asked_, 2);
    QVERIFY(panel()->current()->localId() != sent);  // agreed: sent again, streamed into the file
    auto t = panel()->current();
    QVERIFY(QTest::qWaitFor([&] { return t->final(); }, 10000));
    QCOMPARE(fileBytes(fixture_.path(QStringLiteral("get.bin"))).size(), qsizetype(5000));
  }
};

QTEST_MAIN(TestBodySave)
#include "test_body_save.moc"
