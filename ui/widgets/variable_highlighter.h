#pragma once
/**
 * {{variable}} highlighting in the composer: the URL line, the header table and the body.
 * Resolved names are drawn in the link colour, unresolved ones with a red wavy underline;
 * hovering one shows its value (private values masked, as the lookup returns them).
 */
#include <QObject>
#include <QSyntaxHighlighter>
#include <functional>
#include <optional>

class QLineEdit;
class QPlainTextEdit;
class QTableWidget;

namespace sluice::ui {

/** name -> the text to show for it; nullopt when it does not resolve. */
using VariableLookup = std::function<std::optional<QString>(const QString& name)>;

/** Formats {{name}} in a text document. */
class VariableHighlighter : public QSyntaxHighlighter {
  Q_OBJECT
 public:
  VariableHighlighter(QTextDocument* doc, VariableLookup lookup);

 protected:
  void highlightBlock(const QString& text) override;

 private:
  VariableLookup lookup_;
};

/**
 * Attaches highlighting and hover values to the composer's URL edit, header table and
 * body edit. rehighlight() redraws after the environment changed.
 */
class VariableDecorator : public QObject {
  Q_OBJECT
 public:
  VariableDecorator(QLineEdit* url, QTableWidget* headers, QPlainTextEdit* body, VariableLookup lookup, QObject* parent = nullptr);
  /** The tooltip for the {{name}} at character pos of text; empty when pos is not on one. */
  QString hoverText(const QString& text, int pos) const;

 public slots:
  void rehighlight();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void formatUrl();

  QLineEdit* url_;
  QTableWidget* headers_;
  QPlainTextEdit* body_;
  VariableLookup lookup_;
  VariableHighlighter* highlighter_ = nullptr;
};

}  // namespace sluice::ui
