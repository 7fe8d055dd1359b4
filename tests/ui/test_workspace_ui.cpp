// The workspace in the GUI, offscreen: collections, tabs, saving into the .http file,
// the environment switcher against our real server, unresolved variables, history and HAR.
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabBar>
#include <QRadioButton>
#include <QPlainTextEdit>
#include <QTest>
#include <QTreeWidget>
#include <memory>

#include "support/har_check.h"
#include "support/serve_fixture.h"
#include "support/test_env.h"
#include "ui/models/history_model.h"
#include "ui/models/workspace_session.h"
#include "ui/panels/collections_panel.h"
#include "ui/panels/main_window.h"
#include "ui/panels/request_panel.h"
#include "ui/panels/request_tabs.h"

using namespace sluice::ui;

namespace {

const char* kApiHttp =
    "@path = /bytes/3\n"
    "\n"
    "### bytes\n"
    "GET {{base}}{{path}}?env={{envname}}\n"
    "\n"
    "### missing var\n"
    "GET {{base}}/bytes/1?never={{nope}}\n"
    "\n"
    "> {% client.test(\"kept\", () => {}); %}\n";

QString readFile(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void writeFile(const QString& path, const QByteArray& data) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(data);
}

QTreeWidgetItem* findItem(QTreeWidget* tree, const QString& text) {
  auto items = tree->findItems(text, Qt::MatchExactly | Qt::MatchRecursive);
  return items.isEmpty() ? nullptr : items.first();
}

}  // namespace

class TestWorkspaceUi : public QObject {
  Q_OBJECT
  sluice::test::CliServer server_;
  std::string dir_;
  QString ws_;

  std::unique_ptr<MainWindow> makeWindow() {
    MainWindowOptions o;
    o.listen = QStringLiteral("127.0.0.1:0");
    o.historyFile = QString::fromStdString(dir_) + QStringLiteral("/history.json");
    o.restoreState = false;
    o.workspace = ws_;
    auto w = std::make_unique<MainWindow>(o);
    w->requestTabs()->setConfirmClose([](const QString&) { return RequestTabs::CloseChoice::kDiscard; });
    w->show();
    return w;
  }
  template <typename T>
  static T* child(QWidget* w, const char* name) {
    T* c = w->findChild<T*>(QLatin1String(name));
    if (!c) qFatal("no widget named %s", name);
    return c;
  }
  static void openRequest(MainWindow& w, const QString& label) {
    auto* item = findItem(w.collectionsPanel()->tree(), label);
    QVERIFY2(item, qPrintable(label));
    emit w.collectionsPanel()->tree()->itemActivated(item, 0);
  }
  void sendAndWait(MainWindow& w, int rowsBefore) {
    QTest::mouseClick(child<QPushButton>(&w, "sendButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w.history()->rowCount() == rowsBefore + 1 && w.history()->entry(0).status != 0, 10000);
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName(QStringLiteral("SluiceTest"));
    QVERIFY2(server_.start(), server_.error().c_str());
    dir_ = sluice::test::makeTempDir("workspace-ui");
    ws_ = QString::fromStdString(dir_) + QStringLiteral("/ws");
    QDir().mkpath(ws_);
    QString base = QString::fromStdString(server_.url("/"));
    base.chop(1);
    writeFile(ws_ + QStringLiteral("/api.http"), kApiHttp);
    writeFile(ws_ + QStringLiteral("/http-client.env.json"),
              QStringLiteral(R"({"dev": {"base": "%1", "envname": "dev"}, "prod": {"base": "%1", "envname": "prod"}})").arg(base).toUtf8());
    writeFile(ws_ + QStringLiteral("/http-client.private.env.json"), R"({"dev": {"token": "priv-s3cret"}})");
  }
  void cleanupTestCase() {
    server_.stop();
    sluice::test::removeTree(dir_);
  }

  void openEditAndSaveARequest() {
    auto w = makeWindow();
    QVERIFY(findItem(w->collectionsPanel()->tree(), QStringLiteral("api.http")));
    openRequest(*w, QStringLiteral("GET  bytes"));
    QCOMPARE(w->requestTabs()->count(), 2);
    auto* url = child<QLineEdit>(w.get(), "urlEdit");
    QCOMPARE(url->text(), QStringLiteral("{{base}}{{path}}?env={{envname}}"));
    url->setText(QStringLiteral("{{base}}/bytes/9?env={{envname}}&edited=1"));
    QTRY_VERIFY(w->requestTabs()->tabBar()->tabText(1).startsWith(QStringLiteral("• ")));
    QCOMPARE(w->requestTabs()->save(), QString());
    QTRY_VERIFY(!w->requestTabs()->tabBar()->tabText(1).startsWith(QStringLiteral("• ")));
    QString expected = QString::fromUtf8(kApiHttp).replace(QStringLiteral("GET {{base}}{{path}}?env={{envname}}"),
                                                           QStringLiteral("GET {{base}}/bytes/9?env={{envname}}&edited=1"));
    QCOMPARE(readFile(ws_ + QStringLiteral("/api.http")), expected);  // the rest of the file is untouched
    writeFile(ws_ + QStringLiteral("/api.http"), kApiHttp);
  }

  void formBodyIsRefusedNotDropped() {
    // A .http block cannot hold a form's parts: saving says so and leaves the file as it was.
    auto w = makeWindow();
    openRequest(*w, QStringLiteral("GET  bytes"));
    child<QRadioButton>(w.get(), "bodyForm")->setChecked(true);
    child<QPlainTextEdit>(w.get(), "bodyTextEdit")->setPlainText(QStringLiteral("name=value\nfile=@/etc/hostname"));
    const QString why = w->requestTabs()->save();
    QVERIFY2(why.startsWith(QLatin1String("not saved: a form body")), qPrintable(why));
    QCOMPARE(readFile(ws_ + QStringLiteral("/api.http")), QString::fromUtf8(kApiHttp));
  }

  void environmentSwitchChangesWhatIsSent() {
    auto w = makeWindow();
    openRequest(*w, QStringLiteral("GET  bytes"));
    auto* env = w->environmentCombo();
    QVERIFY(env->findText(QStringLiteral("dev")) > 0 && env->findText(QStringLiteral("prod")) > 0);
    int rows = w->history()->rowCount();
    env->setCurrentText(QStringLiteral("dev"));
    sendAndWait(*w, rows);
    QCOMPARE(w->history()->entry(0).status, 200);
    QVERIFY(server_.process().waitForStderr("/bytes/3?env=dev", std::chrono::seconds(5)));
    env->setCurrentText(QStringLiteral("prod"));
    sendAndWait(*w, rows + 1);
    QVERIFY(server_.process().waitForStderr("/bytes/3?env=prod", std::chrono::seconds(5)));
    // The history keeps the request as written, so it can be sent again in another environment.
    QCOMPARE(w->history()->entry(0).spec.url, QStringLiteral("{{base}}{{path}}?env={{envname}}"));
    auto hover = w->session()->hoverValue(QStringLiteral("token"), w->requestTabs()->currentSource());
    QVERIFY(!hover);  // token is defined for dev only
    env->setCurrentText(QStringLiteral("dev"));
    hover = w->session()->hoverValue(QStringLiteral("token"), w->requestTabs()->currentSource());
    QVERIFY(hover && !hover->contains(QStringLiteral("priv-s3cret")));  // private values are masked
  }

  void unresolvedVariableIsRefused() {
    auto w = makeWindow();
    w->environmentCombo()->setCurrentText(QStringLiteral("dev"));
    openRequest(*w, QStringLiteral("GET  missing var"));
    int rows = w->history()->rowCount();
    QTest::mouseClick(child<QPushButton>(w.get(), "sendButton"), Qt::LeftButton);
    QString msg = child<QLabel>(w.get(), "composerMessage")->text();
    QVERIFY2(msg.contains(QStringLiteral("unresolved variable {{nope}}")), qPrintable(msg));
    QCOMPARE(w->history()->rowCount(), rows);
    QVERIFY(!server_.process().waitForStderr("never=", std::chrono::milliseconds(300)));
  }

  void tabsAskBeforeLosingEdits() {
    auto w = makeWindow();
    int asked = 0;
    auto answer = RequestTabs::CloseChoice::kCancel;
    w->requestTabs()->setConfirmClose([&](const QString&) { ++asked; return answer; });
    openRequest(*w, QStringLiteral("GET  bytes"));
    QCOMPARE(w->requestTabs()->count(), 2);
    QVERIFY(w->requestTabs()->closeCurrent());  // unedited: closes without asking
    QCOMPARE(asked, 0);
    openRequest(*w, QStringLiteral("GET  bytes"));
    child<QLineEdit>(w.get(), "urlEdit")->setText(QStringLiteral("http://127.0.0.1:1/edited"));
    QVERIFY(!w->requestTabs()->closeCurrent());
    QCOMPARE(asked, 1);
    QCOMPARE(w->requestTabs()->count(), 2);
    answer = RequestTabs::CloseChoice::kDiscard;
    QVERIFY(w->requestTabs()->closeCurrent());
    QCOMPARE(asked, 2);
    QCOMPARE(w->requestTabs()->count(), 1);
    QCOMPARE(readFile(ws_ + QStringLiteral("/api.http")), QString::fromUtf8(kApiHttp));  // discarded, not saved
  }

  void collectionsEditTheFiles() {
    auto w = makeWindow();
    auto* panel = w->collectionsPanel();
    QCOMPARE(panel->createFile(QStringLiteral("more")), QString());
    RequestSource src;
    QCOMPARE(panel->createRequest(ws_ + QStringLiteral("/more.http"), QStringLiteral("first"), &src), QString());
    QCOMPARE(panel->duplicateRequest(src), QString());
    QCOMPARE(panel->renameRequest(src, QStringLiteral("renamed")), QString());
    QCOMPARE(readFile(ws_ + QStringLiteral("/more.http")),
             QStringLiteral("### renamed\nGET http://{{host}}/\n\n### first (copy)\nGET http://{{host}}/\n"));
    QVERIFY(findItem(panel->tree(), QStringLiteral("GET  first (copy)")));
    writeFile(ws_ + QStringLiteral("/more.http"), "### outside edit\nGET http://x/\n");  // a text editor's change
    panel->reload();
    QVERIFY(findItem(panel->tree(), QStringLiteral("GET  outside edit")));
    QCOMPARE(panel->deleteFile(ws_ + QStringLiteral("/more.http")), QString());
    QVERIFY(!findItem(panel->tree(), QStringLiteral("more.http")));
  }

  void historyHidesCredentialsAndExportsHar() {
    auto w = makeWindow();
    w->environmentCombo()->setCurrentText(QStringLiteral("dev"));
    RequestSpec spec;
    spec.url = QString::fromStdString(server_.url("/bytes/5"));
    spec.headers = {{true, QStringLiteral("Authorization"), QStringLiteral("Basic dXNlcjpwYXNz")}};
    w->requestPanel()->setSpec(spec);
    int rows = w->history()->rowCount();
    sendAndWait(*w, rows);
    const auto& e = w->history()->entry(0);
    QCOMPARE(e.spec.headers.at(0).value, QStringLiteral("Basic <redacted>"));
    QVERIFY(w->history()->data(w->history()->index(0), Qt::DisplayRole).toString().contains(QStringLiteral("127.0.0.1:")));
    QVERIFY(w->history()->save());
    QVERIFY(!readFile(w->history()->path()).contains(QStringLiteral("dXNlcjpwYXNz")));
    QString har = QString::fromStdString(dir_) + QStringLiteral("/gui.har");
    QCOMPARE(w->exportHar(har, false), QString());
    std::string problems;
    for (const auto& p : sluice::test::checkHar12(readFile(har).toStdString())) problems += p + "\n";
    QVERIFY2(problems.empty(), problems.c_str());
    QVERIFY(readFile(har).contains(QStringLiteral("\"connection\"")));
    int before = w->history()->rowCount();
    QCOMPARE(w->importHar(har), QString());
    QCOMPARE(w->history()->rowCount(), before * 2);
    QCOMPARE(w->history()->entry(0).spec.url, w->history()->entry(before).spec.url);
  }
};

QTEST_MAIN(TestWorkspaceUi)
#include "test_workspace_ui.moc"
