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

#include "support/ui_window.h"
#include "ui/panels/main_window.h"

using namespace sluice::ui;
using sluice::test::child;

class TestRedirectFollow : public QObject {
  Q_OBJECT

 private:
  sluice::test::UiWindowFixture fixture_{"ui-redirect"};

  std::unique_ptr<MainWindow> makeWindow() { return fixture_.open(); }
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
    QVERIFY(fixture_.ok());
  }

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

    // The chain survives a restart: the history file keeps each hop's link.
    const QStringList before{row(w.get(), 0), row(w.get(), 1), row(w.get(), 2)};
    w.reset();
    auto again = makeWindow();
    for (int r = 0; r < 3; ++r) QCOMPARE(row(again.get(), r), before[r]);
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
