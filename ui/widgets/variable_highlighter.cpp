#include "ui/widgets/variable_highlighter.h"

#include <QCoreApplication>
#include <QHelpEvent>
#include <QInputMethodEvent>
#include <QLineEdit>
#include <QPalette>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTextCursor>
#include <QToolTip>

namespace sluice::ui {

namespace {

const QRegularExpression& variablePattern() {
  static const QRegularExpression re(QStringLiteral(R"(\{\{\s*([^{}]+?)\s*\}\})"));
  return re;
}

QTextCharFormat formatFor(bool resolved) {
  QTextCharFormat f;
  if (resolved) {
    f.setForeground(QPalette().color(QPalette::Link));
    f.setFontWeight(QFont::DemiBold);
  } else {
    f.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    f.setUnderlineColor(QColor(0xd0, 0x40, 0x40));
    f.setForeground(QColor(0xd0, 0x40, 0x40));
  }
  return f;
}

}  // namespace

VariableHighlighter::VariableHighlighter(QTextDocument* doc, VariableLookup lookup)
    : QSyntaxHighlighter(doc), lookup_(std::move(lookup)) {}

void VariableHighlighter::highlightBlock(const QString& text) {
  auto it = variablePattern().globalMatch(text);
  while (it.hasNext()) {
    auto m = it.next();
    setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()), formatFor(lookup_(m.captured(1)).has_value()));
  }
}

VariableDecorator::VariableDecorator(QLineEdit* url, QTableWidget* headers, QPlainTextEdit* body, VariableLookup lookup, QObject* parent)
    : QObject(parent), url_(url), headers_(headers), body_(body), lookup_(std::move(lookup)) {
  if (body_) {
    highlighter_ = new VariableHighlighter(body_->document(), lookup_);
    body_->viewport()->installEventFilter(this);
  }
  if (url_) {
    url_->installEventFilter(this);
    connect(url_, &QLineEdit::textChanged, this, &VariableDecorator::formatUrl);
  }
  if (headers_) headers_->viewport()->installEventFilter(this);
}

QString VariableDecorator::hoverText(const QString& text, int pos) const {
  auto it = variablePattern().globalMatch(text);
  while (it.hasNext()) {
    auto m = it.next();
    if (pos < m.capturedStart() || pos >= m.capturedEnd()) continue;
    auto v = lookup_(m.captured(1));
    return v ? QStringLiteral("{{%1}} = %2").arg(m.captured(1), *v)
             : tr("{{%1}} is not defined in the environment or the file: sending will stop").arg(m.captured(1));
  }
  return {};
}

void VariableDecorator::rehighlight() {
  if (highlighter_) highlighter_->rehighlight();
  formatUrl();
}

// QLineEdit has no rich text: its text layout takes formats through an input method event.
void VariableDecorator::formatUrl() {
  if (!url_) return;
  QList<QInputMethodEvent::Attribute> attrs;
  auto it = variablePattern().globalMatch(url_->text());
  while (it.hasNext()) {
    auto m = it.next();
    int start = static_cast<int>(m.capturedStart()) - url_->cursorPosition();
    attrs << QInputMethodEvent::Attribute(QInputMethodEvent::TextFormat, start, static_cast<int>(m.capturedLength()),
                                          formatFor(lookup_(m.captured(1)).has_value()));
  }
  QInputMethodEvent ev(QString(), attrs);
  QCoreApplication::sendEvent(url_, &ev);
}

bool VariableDecorator::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() != QEvent::ToolTip) return QObject::eventFilter(watched, event);
  auto* help = static_cast<QHelpEvent*>(event);
  QString tip;
  if (watched == url_) {
    tip = hoverText(url_->text(), url_->cursorPositionAt(help->pos()));
  } else if (body_ && watched == body_->viewport()) {
    QTextCursor c = body_->cursorForPosition(help->pos());
    tip = hoverText(c.block().text(), c.positionInBlock());
  } else if (headers_ && watched == headers_->viewport()) {
    if (auto* item = headers_->itemAt(help->pos())) {
      auto m = variablePattern().match(item->text());
      if (m.hasMatch()) tip = hoverText(item->text(), static_cast<int>(m.capturedStart()));
    }
  }
  if (tip.isEmpty()) return QObject::eventFilter(watched, event);
  QToolTip::showText(help->globalPos(), tip, qobject_cast<QWidget*>(watched));
  return true;
}

}  // namespace sluice::ui
