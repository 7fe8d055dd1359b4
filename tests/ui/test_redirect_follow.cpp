// "Follow redirects" driven like a user: each hop is its own history row linked to the
// chain, the response says which redirects were followed and the final URL; loops are named.
#include <QAbstractItemModel>
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QTest>
#include <memory>

#include "support/test_env.h"
#include "ui/panels/main_window.h"

using namespace sluice::ui;

class TestRedirectFollow : public QObject {
  Q_OBJECT

 private:
  std::string dir_;

  template <typename T>
  static T* child(QWidget* w, const char* name) {
    T* c = w->findChild<T*>(QLatin1String(name));
    if (!c) qFatal("no widget named %s", name);
    return c;
  }
  std::unique_ptr<MainWindow> makeWindow() {
    MainWindowOptions o;
    o.listen = QStringLiteral("127.0.0.1:0");
    o.historyFile = QString::fromStdString(dir_) + QStringLiteral("/history.json");
    o.restoreState = false;
    auto w = std::make_unique<MainWindow>(o);
    w->show();
    return w;
  }
  static void send(MainWindow* w, const QString& path, bool follow) {
    child<QCheckBox>(w, "followRedirectsCheck")->setChecked(follow);
    child<QLineEdit>(w, "urlEdit")->setText(w->embeddedUrl() + path);
    QTest::mouseClick(child<QPushButton>(w, "sendButton"), Qt::LeftButton);
  }
  static QString row(MainWindow* w, int r) {
    auto* m = child<QListView>(w, "historyList")->model();
    return r < m->rowCount() ? m->index(r, 0).data().toString() : QString();
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName(QStringLiteral("SluiceTest"));
    dir_ = sluice::test::makeTempDir("ui-redirect");
    QVERIFY(!dir_.empty());
  }
  void cleanupTestCase() { sluice::test::removeTree(dir_); }

  void chainInHistoryAndResponse() {
    auto w = makeWindow();
    QVERIFY2(!w->embeddedUrl().isEmpty(), qPrintable(w->embeddedError()));
    send(w.get(), QStringLiteral("/redirect/2"), true);
    auto* summary = child<QLabel>(w.get(), "responseSummary");
    QTRY_VERIFY2_WITH_TIMEOUT(summary->text().startsWith(QLatin1String("200 OK")), qPrintable(summary->text()), 10000);
    auto* verdict = child<QLabel>(w.get(), "responseVerdict");
    QString finalUrl = w->embeddedUrl() + QStringLiteral("/redirect/0");
    QTRY_VERIFY2_WITH_TIMEOUT(verdict->text().contains(QLatin1String("Followed 2 redirects")), qPrintable(verdict->text()), 5000);
    QVERIFY2(verdict->text().contains(QStringLiteral("final URL ") + finalUrl), qPrintable(verdict->text()));
    QTRY_VERIFY2_WITH_TIMEOUT(row(w.get(), 0).contains(QStringLiteral("→ ") + finalUrl), qPrintable(row(w.get(), 0)), 5000);
    QTRY_VERIFY2_WITH_TIMEOUT(row(w.get(), 1).startsWith(QStringLiteral("302  ↳ GET /redirect/2")), qPrintable(row(w.get(), 1)), 5000);
    QVERIFY2(row(w.get(), 2).startsWith(QStringLiteral("302  ↳ GET /redirect/1")), qPrintable(row(w.get(), 2)));
  }

  void offByDefaultShowsTheRedirect() {
    auto w = makeWindow();
    send(w.get(), QStringLiteral("/redirect/1"), false);
    auto* summary = child<QLabel>(w.get(), "responseSummary");
    QTRY_VERIFY2_WITH_TIMEOUT(summary->text().startsWith(QLatin1String("302 Found")) &&
                                  !summary->text().contains(QLatin1String("streaming")),
                              qPrintable(summary->text()), 10000);
  }

  void loopNamed() {
    auto w = makeWindow();
    send(w.get(), QStringLiteral("/redirect-loop/2"), true);
    auto* error = child<QLabel>(w.get(), "responseError");
    QTRY_VERIFY2_WITH_TIMEOUT(error->text().contains(QLatin1String("redirect loop")), qPrintable(error->text()), 10000);
    QVERIFY(error->text().contains(w->embeddedUrl() + QStringLiteral("/redirect-loop/2")));
  }
};

QTEST_MAIN(TestRedirectFollow)
#include "test_redirect_follow.moc"
