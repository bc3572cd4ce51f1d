Feature: A health gate that never passes
  Scenario: The application never comes up on one host
    Given I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    And I retry checks every 1 second
    Then within 3 seconds the nrpe check check_settling should pass
    And the service httpd should be running
